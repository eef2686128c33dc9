// Shared by the sdb and tizen stand-ins: devices attached to the sdb server.
// $SHIPFLEET_SDB_DEVICES lists serials always attached (e.g. emulator-26101); `sdb connect`
// adds to $SHIPFLEET_SDB_STATE (default sdb-devices.json beside the call log).
const fs = require('fs');
const path = require('path');

function stateFile() {
  const log = process.env.SHIPFLEET_STANDIN_LOG || path.join(process.cwd(), 'standin-calls.jsonl');
  return process.env.SHIPFLEET_SDB_STATE || path.join(path.dirname(log), 'sdb-devices.json');
}

/** A TV's name as sdb devices shows it in its third column: a model code; the emulator's platform. */
function deviceName(serial) {
  if (serial.startsWith('emulator-')) return 'T-samsung-6.0-x86';
  const last = serial.split(':')[0].split('.').pop().replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  return `UE55TV${last}`;
}

function attachedDevices() {
  const fixed = (process.env.SHIPFLEET_SDB_DEVICES || '').split(',').filter(Boolean);
  const file = stateFile();
  const connected = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
  return [...new Set([...fixed, ...connected])].map((serial) => ({ serial, name: deviceName(serial) }));
}

function saveConnected(serial) {
  const file = stateFile();
  const connected = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify([...connected, serial]));
}

module.exports = { attachedDevices, saveConnected };
