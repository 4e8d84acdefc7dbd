'use strict';
// `require('xmlc')`: xmlc is an ES module. Node >= 20.19 (xmlc's minimum) loads ES modules
// through require(); where that is turned off (--no-experimental-require-module), say what to do.
try {
  module.exports = require('../dist/src/index.js');
} catch (e) {
  if (e && (e.code === 'ERR_REQUIRE_ESM' || e.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
    throw new Error('xmlc is ESM-only and this Node cannot require() ES modules: use import() or "type": "module" (or Node >= 20.19 without --no-experimental-require-module)', { cause: e });
  }
  throw e;
}
