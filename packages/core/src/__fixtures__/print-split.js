// Test child: prints its first argument in two chunks with a pause between, split in the middle.
const s = process.argv[2];
const half = Math.floor(s.length / 2);
process.stdout.write('token=' + s.slice(0, half));
setTimeout(() => process.stdout.write(s.slice(half) + ' done\n'), 150);
