// A jest environment that lends the specs Node's own ESM loader for
// @octokit/rest (ESM only): jest's CommonJS runtime cannot load it, while
// this file runs outside the test sandbox where import() works.
'use strict';
const { TestEnvironment } = require('jest-environment-node');

class OctokitEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__importOctokitRest = () => import('@octokit/rest');
  }
}

module.exports = OctokitEnvironment;
