import type * as Tf from '@tensorflow/tfjs';

export type TfModule = typeof Tf;
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

let loading: Promise<TfModule> | undefined;

/**
 * Loads TensorFlow.js once, with the fastest backend present: `@tensorflow/tfjs-node` (native, multi-threaded;
 * not a dependency of this project, used when a production image installs it), else WASM (SIMD), else the plain
 * JS CPU backend. Imported lazily so models that do not need TensorFlow.js never pay for loading it.
 * `prefer` forces a backend (for measurements); only the first call chooses, later calls share its result.
 */
export function loadTf(prefer?: TfBackendName): Promise<TfModule> {
  loading ??= (async () => {
    if (!prefer || prefer === 'tensorflow') {
      try {
        const nodeName = '@tensorflow/tfjs-node'; // a variable: resolved at run time only, never by the compiler
        const tfNode = (await import(nodeName)) as TfModule;
        await tfNode.ready();
        if (tfNode.getBackend() === 'tensorflow') return tfNode;
      } catch {
        // not installed: fall through to WASM
      }
    }
    const tf = await import('@tensorflow/tfjs');
    if (!prefer || prefer === 'wasm') {
      try {
        await import('@tensorflow/tfjs-backend-wasm');
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return tf;
        }
      } catch {
        // WASM binary missing or not loadable: fall through to the CPU backend
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  })();
  return loading;
}
