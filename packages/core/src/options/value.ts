/** An option left out: undefined, or null as JSON may write it. Every validator passes it through as undefined. */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** A user's value as a message shows it: JSON, cut short. Never call it on a secret. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
