// Loaded with `node --import` in every process of `make mutation`. @stryker-mutator/mocha-runner 10.1.1 requires
// Mocha's cli internals without an extension (`mocha/lib/cli/run-helpers`), and Mocha 12 renamed them to `.cjs`, so
// the plugin fails to load. This hook adds the extension. Remove it once the runner ships the fix
// (stryker-mutator/stryker-js pull request 6205, "load Mocha cli internals regardless of file extension").
import { registerHooks } from 'node:module';

const mochaCliInternal = /[\\/]mocha[\\/]lib[\\/]cli[\\/](run-helpers|options|collect-files)$/;

registerHooks({
  resolve(specifier, context, nextResolve) {
    return nextResolve(mochaCliInternal.test(specifier) ? `${specifier}.cjs` : specifier, context);
  },
});
