import { definePlatform } from './platform';

const TERRAFORM = /\.tf(\.json)?$/;

/** Supabase projects: supabase/config.toml (migrations under supabase/migrations). */
export const supabase = definePlatform<true>({
  id: 'supabase',
  markers: ['supabase/config.toml'],
  detect: (folder) => (folder.hasFile('supabase', /^config\.toml$/) ? true : undefined),
  targets: () => [
    {
      executor: 'supabase-deploy',
      description: 'Push pending migrations (and config, edge functions) through the Supabase CLI, under a deploy lock',
      runner: 'linux',
      deploys: true,
    },
  ],
  ciSecrets: ['SUPABASE_DB_PASSWORD', 'SUPABASE_ACCESS_TOKEN'],
  example: { 'supabase/config.toml': 'project_id = "db"\n' },
});

/** Terraform (or OpenTofu) configurations: *.tf files in the project root, infra/ or terraform/. */
export const terraform = definePlatform<{ dir: string }>({
  id: 'terraform',
  // Sub-folders first: infra/main.tf marks the project above infra/ (or infra/ itself when it is the project).
  markers: ['infra/*.tf', 'terraform/*.tf', '*.tf'],
  detect(folder) {
    const dir = ['.', 'infra', 'terraform'].find((d) => folder.hasFile(d, TERRAFORM));
    return dir ? { dir } : undefined;
  },
  targets: ({ dir }) => [
    {
      executor: 'terraform',
      description: 'Plan, show what changes, refuse unallowed destroys, then apply exactly that plan',
      runner: 'linux',
      options: { dir: dir === '.' ? '{projectRoot}' : `{projectRoot}/${dir}` },
      outputs: ['{workspaceRoot}/tmp/terraform/{projectName}'],
      deploys: true,
    },
  ],
  ciSecrets: [],
  example: { 'infra/main.tf': 'resource "null_resource" "x" {}\n' },
});
