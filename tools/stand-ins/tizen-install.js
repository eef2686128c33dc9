// `tizen install -n <package> (-s <serial> | -t <target name>) [-- <dir>]` for the tizen stand-in:
// checks the package as a TV's installer does (a zip whose every file is signed by
// author-signature.xml and signature1.xml) and prints what the Tizen CLI prints.
// Like the real CLI, a package the TV refuses still exits 0: only the output tells.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { attachedDevices } = require('./sdb-state');

const UNSIGNED = 'install failed[118, -12], reason: Check certificate error : :Invalid file reference. An unsinged file was found.:<-5>';

function option(args, short, long) {
  const i = args.findIndex((a) => a === short || a === long);
  return i < 0 ? undefined : args[i + 1];
}

function zipEntries(wgt) {
  const r = spawnSync('unzip', ['-Z1', wgt], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter((l) => l && !l.endsWith('/')) : undefined;
}

function zipText(wgt, entry) {
  return spawnSync('unzip', ['-p', wgt, entry], { encoding: 'utf8' }).stdout;
}

/** Why the TV would refuse the package, in its installer's words; undefined when it installs. */
function refusal(wgt, entries) {
  if (!entries) return 'install failed[118]';
  if (!entries.includes('author-signature.xml') || !entries.includes('signature1.xml')) return UNSIGNED;
  const signed = (xml) => new Set([...xml.matchAll(/<Reference URI="([^"#][^"]*)"/g)].map((m) => decodeURIComponent(m[1])));
  const author = signed(zipText(wgt, 'author-signature.xml'));
  const distributor = signed(zipText(wgt, 'signature1.xml'));
  const content = entries.filter((e) => !/^(author-signature|signature\d+)\.xml$/.test(e));
  if (content.some((e) => !author.has(e) || !distributor.has(e)) || !distributor.has('author-signature.xml')) return UNSIGNED;
  return undefined;
}

/** SHIPFLEET_TIZEN_INSTALL_FAIL="<serial>=<reason>[;<serial>=<reason>…]": the TV at that serial refuses the package. */
function forcedFailure(serial) {
  for (const entry of (process.env.SHIPFLEET_TIZEN_INSTALL_FAIL || '').split(';').filter(Boolean)) {
    const at = entry.indexOf('=');
    if (entry.slice(0, at) === serial) {
      const reason = entry.slice(at + 1);
      return reason.startsWith('install failed') ? reason : `install failed[118, -12], reason: ${reason}`;
    }
  }
  return undefined;
}

function install(args) {
  const sep = args.indexOf('--');
  const opts = sep < 0 ? args : args.slice(0, sep);
  const name = option(opts, '-n', '--name');
  if (!name) {
    console.error('Usage: tizen install -n <package file> [-s <device serial> | -t <target name>] [-- <working directory>]');
    return 1;
  }
  const wgt = path.resolve(sep < 0 ? '.' : args[sep + 1] || '.', name);
  const serial = option(opts, '-s', '--serial');
  const target = option(opts, '-t', '--target');
  const devices = attachedDevices();
  const device = serial ? devices.find((d) => d.serial === serial) : target ? devices.find((d) => d.name === target) : devices.length === 1 ? devices[0] : undefined;
  if (!device) {
    console.log('There is no connected target.');
    return 1;
  }
  if (!fs.existsSync(wgt) || !fs.statSync(wgt).isFile()) {
    console.log(`The package file does not exist: ${wgt}`);
    return 1;
  }
  const entries = zipEntries(wgt);
  const config = entries && entries.includes('config.xml') ? zipText(wgt, 'config.xml') : '';
  const appId = (/<tizen:application[^>]*\sid="([^"]+)"/.exec(config) || [, path.basename(wgt, '.wgt')])[1];
  const remote = `/home/owner/share/tmp/sdk_tools/tmp/${path.basename(wgt)}`;
  console.log('Transferring the package...');
  console.log(`Transferred the package: ${wgt} -> /home/owner/share/tmp/sdk_tools/tmp`);
  console.log('Installing the package...');
  console.log('--------------------\nPlatform log view\n--------------------');
  console.log(`install ${appId}\npackage_path ${remote}`);
  console.log(`app_id[${appId}] install start`);
  const failure = refusal(wgt, entries) || forcedFailure(device.serial);
  if (failure) {
    console.log(`app_id[${appId}] installing[9]`);
    console.log(`app_id[${appId}] ${failure}`);
    console.log('spend time for wascmd is [1589]ms');
    console.log('Failed to install Tizen application.');
    console.log('Total time: 00:00:02.104');
    return 0;
  }
  for (const p of [9, 58, 100]) console.log(`app_id[${appId}] installing[${p}]`);
  console.log(`app_id[${appId}] install completed`);
  console.log('spend time for wascmd is [2056]ms\ncmd_ret:0');
  console.log(`Installed the package: Id(${appId})`);
  console.log('Tizen application is successfully installed.');
  console.log('Total time: 00:00:02.895');
  return 0;
}

module.exports = { install };
