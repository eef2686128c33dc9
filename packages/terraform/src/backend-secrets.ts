// Backend settings that hold credentials, and the environment variables each backend reads
// them from instead (Terraform's backend documentation: s3, azurerm, gcs, http, pg, consul,
// kubernetes, cos, oss). A value given with -backend-config is on the command line, and
// `terraform init` also copies it into .terraform/terraform.tfstate: these are refused.
export const SECRET_BACKEND_SETTINGS: Record<string, string> = {
  access_key: 'AWS_ACCESS_KEY_ID (s3) or ARM_ACCESS_KEY (azurerm)',
  secret_key: 'AWS_SECRET_ACCESS_KEY (s3), TENCENTCLOUD_SECRET_KEY (cos) or ALICLOUD_SECRET_KEY (oss)',
  token: 'AWS_SESSION_TOKEN (s3) or KUBE_TOKEN (kubernetes)',
  sas_token: 'ARM_SAS_TOKEN (azurerm)',
  client_secret: 'ARM_CLIENT_SECRET (azurerm)',
  client_certificate_password: 'ARM_CLIENT_CERTIFICATE_PASSWORD (azurerm)',
  oidc_token: 'ARM_OIDC_TOKEN (azurerm)',
  credentials: 'GOOGLE_BACKEND_CREDENTIALS or GOOGLE_CREDENTIALS (gcs)',
  access_token: 'GOOGLE_OAUTH_ACCESS_TOKEN (gcs) or CONSUL_HTTP_TOKEN (consul)',
  encryption_key: 'GOOGLE_ENCRYPTION_KEY (gcs)',
  password: 'TF_HTTP_PASSWORD (http)',
  username: 'TF_HTTP_USERNAME (http)',
  conn_str: 'PG_CONN_STR (pg)',
  http_auth: 'CONSUL_HTTP_AUTH (consul)',
};

const SECRET_LOOKING = /secret|passw|token|credential|private|auth/i;

/** The environment variables to use instead, when `setting` holds a credential; undefined for an ordinary setting. */
export function secretBackendSetting(setting: string): string | undefined {
  return SECRET_BACKEND_SETTINGS[setting] ?? (SECRET_LOOKING.test(setting) ? 'the variable the backend documents for it' : undefined);
}
