// How the store keeps a host's labels in one column, and how the label filter finds one.

/**
 * Labels as `,"web","db",`: the JSON array between commas. Inside JSON text a quote is always
 * escaped, so `,"db",` can only be a whole label, whatever characters labels hold.
 */
export function labelsKey(labels: readonly string[]): string {
  return `,${JSON.stringify(labels).slice(1, -1)},`;
}
