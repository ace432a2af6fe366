/**
 * The secrets a database URL can carry. The pg driver reads a password from
 * the userinfo (`postgres://u:secret@host/db`) and from any query parameter
 * it is given (`?password=secret` even wins over the userinfo), so both must
 * be hidden from logs and error messages.
 */

/** Query parameters whose value is a secret: password, sslpassword, passphrase, any *token* or *secret*. */
const SECRET_PARAM = /pass|secret|token/i;

/** Each secret as written in the URL (percent-encoded) and as the driver decodes it. */
export function databaseUrlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const found = [u.password, safeDecode(u.password)];
  for (const [name, raw] of rawParams(u.search)) {
    if (!SECRET_PARAM.test(safeDecode(name))) continue;
    found.push(raw, safeDecode(raw), safeDecode(raw.replaceAll("+", " ")));
  }
  return [...new Set(found.filter((s) => s !== ""))];
}

/** A database URL without its secrets, for logs and error messages. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "(unparseable URL)";
  }
  if (u.password !== "") u.password = "***";
  if (u.search !== "") {
    u.search = rawParams(u.search)
      .map(([name, raw]) => (SECRET_PARAM.test(safeDecode(name)) ? `${name}=***` : `${name}=${raw}`))
      .join("&");
  }
  return u.toString();
}

/** The query's name/value pairs as written, so the secret is found however it was encoded. */
function rawParams(search: string): [string, string][] {
  return search
    .replace(/^\?/, "")
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const at = pair.indexOf("=");
      return at === -1 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
    });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
