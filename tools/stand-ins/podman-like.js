// The podman and buildah stand-ins (docs.podman.io podman-build, podman-manifest-push;
// buildah-build, buildah-manifest-push): `build`/`bud` with --manifest <list> adds one image per
// --platform to a manifest list kept in a state file; `manifest push [--all] [--digestfile f] <list>
// docker://<ref>` writes the list's digest to the file; `manifest rm <list>` removes it.
const fs = require('fs');
const path = require('path');
const { record } = require('./record');
const { parseFlags, checkSecrets, fakeDigest, readState, writeState, stateFile } = require('./oci-build');

module.exports = function main(tool, buildVerbs) {
  const argv = process.argv.slice(2);
  record(tool, argv);
  const die = (message, code = 125) => { console.error(`Error: ${message}`); process.exit(code); };
  const file = stateFile('SHIPFLEET_PODMAN_STATE', `${tool}-state.json`);
  const state = readState(file);
  if (buildVerbs.includes(argv[0])) {
    const parsed = parseFlags(argv.slice(1), {
      values: ['--platform', '--tag', '--label', '--build-arg', '--secret', '--cache-from', '--cache-to', '--file', '--target', '--manifest', '--iidfile', '--format'],
      booleans: ['--layers', '--pull', '--no-cache', '--quiet'],
      aliases: { '-t': '--tag', '-f': '--file', '-q': '--quiet' },
    });
    if (parsed.error) die(parsed.error);
    const { flags, positional } = parsed;
    const context = positional[0] || '.';
    if (!fs.existsSync(context)) die(`stat ${context}: no such file or directory`);
    const containerfile = (flags['--file'] || [path.join(context, 'Containerfile'), path.join(context, 'Dockerfile')]).find((f) => fs.existsSync(f));
    if (!containerfile) die('no Containerfile or Dockerfile specified or found in context directory');
    const secretError = checkSecrets(flags['--secret']);
    if (secretError) die(secretError);
    if ((flags['--cache-to'] || flags['--cache-from']) && !flags['--layers']) console.error('WARN: --cache-from/--cache-to have no effect without --layers');
    for (const c of [...(flags['--cache-from'] || []), ...(flags['--cache-to'] || [])]) if (/[:@]/.test(c.split('/').pop())) die(`repository for cache must not contain a tag or digest: ${c}`);
    const platforms = (flags['--platform'] || ['linux/amd64']).join(',').split(',');
    const list = flags['--manifest'] ? flags['--manifest'][0] : undefined;
    const images = platforms.map((p) => ({ platform: p, digest: fakeDigest({ p, dockerfile: fs.readFileSync(containerfile, 'utf8'), argv }) }));
    for (const i of images) console.log(`[${i.platform}] STEP 1/1: FROM … → ${i.digest.slice(7, 19)}`);
    if (list) {
      state.lists[list] = { images: [...((state.lists[list] || {}).images || []), ...images] };
      writeState(file, state);
    }
    console.log(images[images.length - 1].digest.slice(7));
    return;
  }
  if (argv[0] === 'manifest' && argv[1] === 'push') {
    const parsed = parseFlags(argv.slice(2), { values: ['--digestfile', '--format', '--creds', '--authfile'], booleans: ['--all', '--rm', '--tls-verify', '--quiet'], aliases: { '-f': '--format', '-q': '--quiet' } });
    if (parsed.error) die(parsed.error);
    const [list, dest] = parsed.positional;
    if (!state.lists[list]) die(`${list}: image not known`);
    if (!dest || !/^docker:\/\//.test(dest)) die(`invalid destination "${dest}": only docker:// is supported by this stand-in`);
    const digest = fakeDigest(state.lists[list]);
    if (parsed.flags['--digestfile']) fs.writeFileSync(parsed.flags['--digestfile'][0], digest);
    console.error(`Writing manifest list to image destination`);
    return;
  }
  if (argv[0] === 'manifest' && argv[1] === 'rm') {
    const list = argv[2];
    if (!state.lists[list]) die(`${list}: image not known`, 1);
    delete state.lists[list];
    writeState(file, state);
    console.log(`Untagged: ${list}`);
    return;
  }
  die(`unknown command "${argv.slice(0, 2).join(' ')}" (stand-in: build, manifest push, manifest rm)`);
};
