/**
 * The secrets a database URL can carry. The pg driver reads a password from
 * the userinfo (`postgres://u:secret@host/db`) and from any query parameter
 * it is given (`?password=secret` even wins over the userinfo), so both must
 * be hidden from logs and error messages. The URL is taken apart by hand, not
 * with `new URL`, which refuses forms pg accepts (a socket directory,
 * `postgres://u:pw@/db?host=/run/postgresql`) and would then hide nothing.
 */

/** Query parameters whose value is a secret: password, sslpassword, passphrase, any *token* or *secret*. */
const SECRET_PARAM = /pass|secret|token/i;

interface UrlParts {
  /** `postgres://` */
  scheme: string;
  /** Everything before the last `@` of the part before the query, or null without one. */
  userinfo: string | null;
  /** Host, port and path. */
  rest: string;
  /** The query's pairs as written: name, value, and the pair itself. */
  params: [string, string, string][];
  /** The fragment, with its `#`. */
  hash: string;
}

function partsOf(url: string): UrlParts | null {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (scheme === undefined) return null;
  const afterScheme = url.slice(scheme.length);
  const hashAt = afterScheme.indexOf("#");
  const hash = hashAt === -1 ? "" : afterScheme.slice(hashAt);
  const beforeHash = hashAt === -1 ? afterScheme : afterScheme.slice(0, hashAt);
  const queryAt = beforeHash.indexOf("?");
  const main = queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt === -1 ? "" : beforeHash.slice(queryAt + 1);
  // The last @: a password may hold an unescaped @, / or : (pg reads it so).
  const at = main.lastIndexOf("@");
  return {
    scheme,
    userinfo: at === -1 ? null : main.slice(0, at),
    rest: at === -1 ? main : main.slice(at + 1),
    params: query
      .split("&")
      .filter((pair) => pair !== "")
      .map((pair): [string, string, string] => {
        const eq = pair.indexOf("=");
        return eq === -1 ? [pair, "", pair] : [pair.slice(0, eq), pair.slice(eq + 1), pair];
      }),
    hash,
  };
}

/** The user name and password of the userinfo (the password null without a colon). */
function credentialsOf(userinfo: string): { user: string; password: string | null } {
  const colon = userinfo.indexOf(":");
  return colon === -1
    ? { user: userinfo, password: null }
    : { user: userinfo.slice(0, colon), password: userinfo.slice(colon + 1) };
}
const isSecretParam = (name: string) => SECRET_PARAM.test(name) || SECRET_PARAM.test(safeDecode(name));

/** Each secret as written in the URL (percent-encoded) and as the driver decodes it. */
export function databaseUrlSecrets(url: string | undefined): string[] {
  const parts = url ? partsOf(url) : null;
  if (parts === null) return [];
  const password = parts.userinfo === null ? null : credentialsOf(parts.userinfo).password;
  const found = password === null ? [] : [password, safeDecode(password)];
  for (const [name, raw] of parts.params) {
    if (!isSecretParam(name)) continue;
    // URLSearchParams decodes as pg does (`+` is a space, a malformed escape is kept as written).
    found.push(raw, safeDecode(raw), new URLSearchParams(`v=${raw}`).get("v") ?? "");
  }
  return [...new Set(found.filter((s) => s !== ""))];
}

/** A database URL without its secrets, for logs and error messages. */
export function redactUrl(url: string): string {
  const parts = partsOf(url);
  if (parts === null) return "(unparseable URL)";
  const { scheme, userinfo, rest, params, hash } = parts;
  let credentials = "";
  if (userinfo !== null) {
    const { user, password } = credentialsOf(userinfo);
    credentials = `${user}${password ? ":***" : ""}@`;
  }
  const query = params.map(([name, , pair]) => (isSecretParam(name) ? `${name}=***` : pair));
  return `${scheme}${credentials}${rest}${query.length > 0 ? `?${query.join("&")}` : ""}${hash}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
