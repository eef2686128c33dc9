export interface FastfileLane {
  name: string;
  platform?: string;
  description?: string;
  private: boolean;
}

/**
 * Lists the lanes a Fastfile declares (`lane :beta do`, inside `platform :ios do`
 * blocks or not, with the `desc` before them). A plain reading of the common
 * layout, not a Ruby parser: lanes from `import`ed files are not seen, which
 * `importsOtherFiles` tells.
 */
export function parseFastfileLanes(content: string): FastfileLane[] {
  const lanes: FastfileLane[] = [];
  let platform: string | undefined;
  let platformDepth = -1;
  let depth = 0;
  let pendingDesc: string | undefined;
  for (const raw of content.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const platformMatch = /^platform\s+:(\w+)\s+do\b/.exec(line);
    const laneMatch = /^(private_lane|lane)\s+:(\w+)\s+do\b/.exec(line);
    const descMatch = /^desc\s+["'](.*)["']\s*$/.exec(line);
    if (descMatch) pendingDesc = descMatch[1];
    if (platformMatch) {
      platform = platformMatch[1];
      platformDepth = depth;
    }
    if (laneMatch) {
      lanes.push({ name: laneMatch[2], platform, description: pendingDesc, private: laneMatch[1] === 'private_lane' });
      pendingDesc = undefined;
    }
    // Track block depth to know when a platform block ends.
    depth += (line.match(/\bdo\b(\s*\|[^|]*\|)?\s*$/) ? 1 : 0) + (/^(if|unless|case|begin|while|until|def)\b/.test(line) ? 1 : 0);
    if (/^end\b/.test(line)) {
      depth--;
      if (depth === platformDepth) {
        platform = undefined;
        platformDepth = -1;
      }
    }
  }
  return lanes;
}

export function importsOtherFiles(content: string): boolean {
  return /^\s*(import|import_from_git)\b/m.test(content);
}
