// Who may talk to a backend that listens on the user's machine. Any page the user opens can
// aim fetch() or a WebSocket at localhost, so requests from foreign origins and requests for
// foreign host names (DNS rebinding) are refused.

export interface AccessPolicy {
  /** True when the Origin header is absent (non-browser clients) or allowed. */
  allowsOrigin(origin: string | undefined | null): boolean;
  /** True when the Host header names this machine or a configured host. */
  allowsHost(host: string | undefined | null): boolean;
  /**
   * The Origin check for requests that cost something: as `allowsOrigin`, and a browser that
   * hides the Origin but says the request is cross-site (`Sec-Fetch-Site`) is refused too.
   */
  allowsRequest(
    origin: string | undefined | null,
    secFetchSite: string | undefined | null,
  ): boolean;
}

export interface AccessPolicyOptions {
  /** Extra origins, exactly as a browser sends them (`https://app.example.com`). */
  extraOrigins?: readonly string[];
  /** Extra host names (no port) a client may address this server by. */
  extraHosts?: readonly string[];
  /**
   * This machine's own names (its host name, `<name>.local`): trusted like `localhost`, as a
   * host to be addressed by and as the host of a page's origin (http or https, any port), so
   * a frontend served on the LAN name works without configuration.
   */
  localNames?: readonly string[];
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.origin === "null" ? null : url.origin;
  } catch {
    return null;
  }
}

/**
 * `localhost:24203` → `localhost`, `[::1]:24203` → `[::1]`, lower-cased; null when malformed.
 * Plain string parsing (no URL normalisation), so `127.1` or `LOCALHOST.` do not pass as
 * loopback, and no URL object is built per request.
 */
function hostnameOf(host: string): string | null {
  const value = host.toLowerCase();
  const portStart = value.startsWith("[") ? value.indexOf("]") + 1 : value.indexOf(":");
  if (portStart < 0) return value;
  // "[" without "]" leaves the whole value here, which is no port either.
  const port = value.slice(portStart);
  if (port !== "" && !/^:\d{1,5}$/.test(port)) return null;
  // An empty name (":80") is in no allowlist.
  return value.slice(0, portStart);
}

export function createAccessPolicy(options: AccessPolicyOptions = {}): AccessPolicy {
  // An origin that does not parse maps to null, which no request's origin is compared with.
  // Stryker disable next-line ArrayDeclaration: the mutant's stand-in entry is no origin
  const extraOrigins = new Set((options.extraOrigins ?? []).map(originOf));
  // Stryker disable next-line ArrayDeclaration: the mutant's stand-in entry is no host name
  const extraHosts = new Set((options.extraHosts ?? []).map((h) => h.toLowerCase()));
  const localHosts = new Set([
    ...LOOPBACK_HOSTS,
    // Stryker disable next-line ArrayDeclaration: the mutant's stand-in entry is no host name
    ...(options.localNames ?? []).map((name) => name.toLowerCase()),
  ]);
  const policy: AccessPolicy = {
    allowsOrigin(origin) {
      if (origin === undefined || origin === null) return true;
      const normalized = originOf(origin);
      if (normalized === null) return false;
      if (extraOrigins.has(normalized)) return true;
      const url = new URL(normalized);
      return (
        (url.protocol === "http:" || url.protocol === "https:") && localHosts.has(url.hostname)
      );
    },
    allowsRequest(origin, secFetchSite) {
      if (origin === undefined || origin === null) return secFetchSite !== "cross-site";
      return policy.allowsOrigin(origin);
    },
    allowsHost(host) {
      if (!host) return false;
      const hostname = hostnameOf(host);
      if (hostname === null) return false;
      return localHosts.has(hostname) || extraHosts.has(hostname);
    },
  };
  return policy;
}

/**
 * The host a request was addressed to: its Host header, or — for an in-process
 * `app.request("/path")`, which sends none — the host of its URL.
 */
export function requestHost(request: Request): string | null {
  const header = request.headers.get("host");
  if (header !== null) return header;
  try {
    return new URL(request.url).host;
  } catch {
    return null;
  }
}

/** Parses a comma-separated env value into a list, dropping blanks. */
export function parseList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
