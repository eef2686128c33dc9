// Test child: records its environment as JSON to the file named by its first argument.
require('fs').writeFileSync(process.argv[2], JSON.stringify(process.env));
