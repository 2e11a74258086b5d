// numbat's own adapter in Node: Dawn's Node bindings (the `webgpu` package),
// a hardware adapter when there is one, else Dawn's OpenGL ES backend in
// compatibility mode (Mesa llvmpipe on a machine without a GPU). Only the Node
// entry (index.ts) imports this file: a browser bundle has none of it.

/// <reference types="@webgpu/types" preserve="true" />

import { isSoftware, navigatorAdapter, type AdapterChoice, type GpuLike } from './device.js';
import { quietDawn } from './quiet-stderr.js';

/**
 * The adapter source in Node (Bun): navigator.gpu where the runtime has one
 * (Deno), else Dawn's Node bindings (the webgpu package).
 */
export async function dawnAdapter(): Promise<AdapterChoice> {
  if ((globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu) return navigatorAdapter();
  const create = await loadDawn();
  // Adapter discovery prints Dawn's limit-clamping warnings to fd 2: kept off stderr (quiet-stderr.ts).
  const quiet = await quietDawn();
  const tried: string[] = [];
  let software: { adapter: GPUAdapter; instance: GpuLike } | undefined;
  const forced = envVar('NUMBAT_WEBGPU_BACKEND');
  const skipDefault = forced === 'opengles' ? 'NUMBAT_WEBGPU_BACKEND=opengles' : forced === 'default' ? undefined : await missingVulkanLoader();
  if (skipDefault) tried.push(`default backend skipped: ${skipDefault}`);
  else {
    try {
      const instance = quiet(() => create([]));
      const adapter = await quiet(() => instance.requestAdapter({ powerPreference: 'high-performance' }));
      if (adapter && !isSoftware(adapter.info ?? {})) return { adapter, backend: 'default', instance };
      if (adapter) software = { adapter, instance };
      tried.push(adapter ? `default backend: only a software adapter (${adapter.info?.device || adapter.info?.description})` : 'default backend (Vulkan): no adapter');
    } catch (e) {
      tried.push(`default backend: ${(e as Error).message}`);
    }
  }
  try {
    const instance = quiet(() => create(['backend=opengles']));
    const adapter = await quiet(() => instance.requestAdapter({ featureLevel: 'compatibility' }));
    if (adapter) return { adapter, backend: 'opengles', instance };
    tried.push('OpenGL ES backend (compatibility): no adapter (needs Mesa EGL/GLES: libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)');
  } catch (e) {
    tried.push(`OpenGL ES backend: ${(e as Error).message}`);
  }
  if (software) return { ...software, backend: 'default' };
  throw new Error(`no WebGPU adapter: ${tried.join('; ')}`);
}

type DawnCreate = (flags: string[]) => GpuLike;

async function loadDawn(): Promise<DawnCreate> {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
  if (env) {
    // Mesa's EGL needs a runtime dir and, without a display, the surfaceless platform.
    if (!env.XDG_RUNTIME_DIR) {
      const os = await import('node:os');
      env.XDG_RUNTIME_DIR = os.tmpdir();
    }
    env.EGL_PLATFORM ??= 'surfaceless';
  }
  let mod: { create?: DawnCreate };
  try {
    mod = (await import('webgpu')) as { create?: DawnCreate };
  } catch (e) {
    throw new Error(`the 'webgpu' package (Dawn for Node) could not be loaded: ${(e as Error).message}`);
  }
  if (!mod.create) throw new Error("the 'webgpu' package has no create()");
  return mod.create;
}

/**
 * On Linux Dawn's default backend is Vulkan; without a Vulkan loader it fails
 * (and prints a warning), so look for the loader first.
 */
async function missingVulkanLoader(): Promise<string | undefined> {
  const proc = (globalThis as { process?: { platform?: string } }).process;
  if (proc?.platform !== 'linux') return undefined;
  const fs = await import('node:fs');
  const dirs = [...(envVar('LD_LIBRARY_PATH') ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64', '/usr/local/lib'];
  return dirs.some((d) => fs.existsSync(`${d}/libvulkan.so.1`)) ? undefined : 'no Vulkan loader (libvulkan.so.1) found';
}

function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[name];
}
