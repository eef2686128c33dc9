// Test child: prints "token=<first argument> done" one byte at a time, pausing between bytes.
const bytes = Buffer.from(`token=${process.argv[2]} done\n`);
let i = 0;
const next = () => {
  if (i < bytes.length) process.stdout.write(bytes.subarray(i, ++i), () => setTimeout(next, 5));
};
next();
