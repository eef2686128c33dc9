// Build args are recorded in the image (`docker history` shows them): a secret never goes there.
import { UserError } from '@shipfleet/core';

/** Name parts that say a value is a secret: NPM_TOKEN, DB_PASSWORD, API_KEY, AWS_SECRET_ACCESS_KEY… */
const SECRET_NAME = /(^|[_-])(TOKEN|PASSWORD|PASSWD|PASS|PWD|SECRET|KEY|APIKEY|CREDENTIALS?|AUTH|PRIVATE|CERT)([_-]|$)|(TOKEN|PASSWORD|SECRET|APIKEY)$/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

const FIX = 'Build args stay in the image history for anyone who pulls it. Pass the value with buildSecrets instead ("buildSecrets": {"<id>": "<ENV_NAME>"}) and read it in the Dockerfile with RUN --mount=type=secret,id=<id>';

/**
 * Refuses a build arg whose name looks secret, whose value is the value of a secret variable of
 * the run, or whose value refers to one ($NAME, ${NAME}). Messages never show a value.
 */
export function checkBuildArgs(args: Record<string, string>, secretVariables: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(args)) {
    if (looksSecret(name)) throw new UserError('buildArgs', `"${name}" looks like a secret (its name), and build args end up in the image history`, FIX);
    for (const [variable, secret] of Object.entries(secretVariables)) {
      if (new RegExp(`\\$\\{?${variable}\\}?(?![A-Za-z0-9_])`).test(value)) throw new UserError('buildArgs', `"${name}" refers to $${variable}, which holds a secret, and build args end up in the image history`, FIX);
      if (secret && secret.length >= 8 && value.includes(secret)) throw new UserError('buildArgs', `the value of "${name}" holds the value of $${variable}, a secret, and build args end up in the image history`, FIX);
    }
  }
}
