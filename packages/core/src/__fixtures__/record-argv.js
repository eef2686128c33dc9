// Test child: records its argv (after the script path) as JSON to the file named by RECORD_TO.
require('fs').writeFileSync(process.env.RECORD_TO, JSON.stringify(process.argv.slice(2)));
