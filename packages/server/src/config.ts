import { homedir, hostname } from "node:os";
import { join } from "node:path";
import {
  type PriceTable,
  priceTableSchema,
  WARM_POLICIES,
  type WarmPolicy,
} from "@dispatch/cache-warming-extras";
import {
  DEFAULT_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_TRANSPORT_LIMITS,
  DEFAULT_WS_PORT,
  parseList,
} from "@dispatch/transport-http";
import { describeIssues } from "@dispatch/ui-contract-schemas";
import { DEFAULT_CACHE_TTL_MS } from "@dispatch/warm-service";
import * as z from "zod";
import { CACHE_TIERS, type CacheTier } from "./catalog-prices.js";

export interface ServerConfig {
  host: string;
  httpPort: number;
  wsPort: number;
  /** Where the settings database (cache-warming.db) lives; null keeps settings in memory. */
  dataDir: string | null;
  allowedOrigins: string[];
  allowedHosts: string[];
  /** This machine's names, trusted like localhost by the Host and Origin checks. */
  localNames: string[];
  manualWarmMinGapMs: number;
  cacheTtlMs: number;
  /** Prices and cache lifetimes per model, over the catalog (`DISPATCH_PRICES`, JSON). */
  prices: PriceTable;
  /** Anthropic's cache tier warms keep alive: `5m` (writes 1.25× input) or `1h` (2×). */
  cacheTier: CacheTier;
  /** Warm calls a minute across all conversations; 0 = no limit. */
  maxWarmsPerMinute: number;
  /** Dollars a minute of priced warms across all conversations; 0 = no limit. */
  maxUsdPerMinute: number;
  /** Conversations with warming enabled at once; 0 = no limit. */
  maxEnabledConversations: number;
  /**
   * Surface WebSockets from one address (all of loopback counts as one): a reverse proxy on
   * this machine brings every user's socket from loopback.
   */
  maxSocketsPerAddress: number;
  /** `POST /dev/turn` and `POST /dev/history`, for trying turns by hand (off by default). */
  devRoutes: boolean;
  /** When to stop warming for a conversation that never chose (`fixed` by default). */
  defaultPolicy: WarmPolicy;
  /** How long the simulated provider takes to answer a warm, as a real one does. */
  simulatorLatencyMs: number;
  /** A file the simulator appends a line to for every warm it takes on (`pnpm soak` reads it). */
  simulatorBillPath: string | null;
}

/** Least time between two manual warms of one conversation. */
export const DEFAULT_MANUAL_WARM_MIN_GAP_MS = 1_000;
/** A real provider answers a warm in a few hundred ms; the simulator takes as long. */
export const DEFAULT_SIMULATOR_LATENCY_MS = 300;

export const DEFAULT_MAX_WARMS_PER_MINUTE = 300;
export const DEFAULT_MAX_ENABLED_CONVERSATIONS = 500;

export const DEFAULT_DATA_DIR = join(homedir(), ".dispatch", "cache-warming");

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

// Built when the environment is read (once per start) rather than at import, so each rule
// runs inside the call it governs, where a test (and Stryker's per-test coverage) sees it.
const envSchema = () =>
  z.object({
    HOST: z.string().min(1).default(DEFAULT_HOST),
    PORT: port(DEFAULT_HTTP_PORT),
    WS_PORT: port(DEFAULT_WS_PORT),
    DISPATCH_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
    DISPATCH_ALLOWED_ORIGINS: z.string().optional(),
    DISPATCH_ALLOWED_HOSTS: z.string().optional(),
    DISPATCH_MANUAL_WARM_MIN_GAP_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(DEFAULT_MANUAL_WARM_MIN_GAP_MS),
    DISPATCH_CACHE_TTL_MS: z.coerce.number().int().min(1).default(DEFAULT_CACHE_TTL_MS),
    DISPATCH_MAX_WARMS_PER_MINUTE: z.coerce
      .number()
      .int()
      .min(0)
      .default(DEFAULT_MAX_WARMS_PER_MINUTE),
    DISPATCH_MAX_USD_PER_MINUTE: z.coerce.number().finite().min(0).default(0),
    DISPATCH_DEV_ROUTES: z.enum(["0", "1"]).default("0"),
    DISPATCH_CACHE_TIER: z.enum(CACHE_TIERS).default("5m"),
    DISPATCH_PRICES: z
      .string()
      .default("{}")
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: "custom", message: "not JSON" });
          return z.NEVER;
        }
      })
      .pipe(priceTableSchema),
    DISPATCH_MAX_ENABLED_CONVERSATIONS: z.coerce
      .number()
      .int()
      .min(0)
      .default(DEFAULT_MAX_ENABLED_CONVERSATIONS),
    DISPATCH_DEFAULT_POLICY: z.enum(WARM_POLICIES).default("fixed"),
    DISPATCH_SIMULATOR_BILL: z.string().min(1).optional(),
    DISPATCH_SIMULATOR_LATENCY_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(DEFAULT_SIMULATOR_LATENCY_MS),
    DISPATCH_MAX_SOCKETS_PER_ADDRESS: z.coerce
      .number()
      .int()
      .min(1)
      .max(DEFAULT_TRANSPORT_LIMITS.maxSockets)
      .default(DEFAULT_TRANSPORT_LIMITS.maxSocketsPerAddress),
  });

export interface ParsedConfig {
  config: ServerConfig;
  /** Present when the server binds beyond loopback (reachable from the network). */
  warning: string | null;
}

/** The machine's host name and its mDNS `.local` form, as a LAN browser addresses it. */
export function machineNames(name: string): string[] {
  const base = name
    .trim()
    .toLowerCase()
    .replace(/\.local$/, "");
  if (base === "" || base === "localhost") return [];
  return [base, `${base}.local`];
}

/** Reads the environment; throws with every bad variable named. */
export function configFromEnv(env: Record<string, string | undefined>): ParsedConfig {
  const parsed = envSchema().safeParse(env);
  if (!parsed.success) {
    // Stryker disable next-line StringLiteral: every issue has a path (the variable), so the root name is never shown
    throw new Error(`bad environment: ${describeIssues(parsed.error, "env")}`);
  }
  const e = parsed.data;
  // Two listeners cannot share a port; the OS would only say "address in use".
  if (e.PORT !== 0 && e.PORT === e.WS_PORT) {
    throw new Error(
      `bad environment: PORT and WS_PORT are both ${e.PORT}; the HTTP server and the surface WebSocket need a port each`,
    );
  }
  const warning = LOOPBACK.has(e.HOST)
    ? null
    : `binding ${e.HOST}: the server is reachable from other machines`;
  return {
    config: {
      host: e.HOST,
      httpPort: e.PORT,
      wsPort: e.WS_PORT,
      dataDir: e.DISPATCH_DATA_DIR,
      allowedOrigins: parseList(e.DISPATCH_ALLOWED_ORIGINS),
      allowedHosts: parseList(e.DISPATCH_ALLOWED_HOSTS),
      localNames: machineNames(hostname()),
      manualWarmMinGapMs: e.DISPATCH_MANUAL_WARM_MIN_GAP_MS,
      cacheTtlMs: e.DISPATCH_CACHE_TTL_MS,
      prices: e.DISPATCH_PRICES,
      cacheTier: e.DISPATCH_CACHE_TIER,
      maxWarmsPerMinute: e.DISPATCH_MAX_WARMS_PER_MINUTE,
      maxUsdPerMinute: e.DISPATCH_MAX_USD_PER_MINUTE,
      maxEnabledConversations: e.DISPATCH_MAX_ENABLED_CONVERSATIONS,
      maxSocketsPerAddress: e.DISPATCH_MAX_SOCKETS_PER_ADDRESS,
      devRoutes: e.DISPATCH_DEV_ROUTES === "1",
      defaultPolicy: e.DISPATCH_DEFAULT_POLICY,
      simulatorLatencyMs: e.DISPATCH_SIMULATOR_LATENCY_MS,
      simulatorBillPath: e.DISPATCH_SIMULATOR_BILL ?? null,
    },
    warning,
  };
}

/** Loopback, ports picked by the OS, settings in memory: for tests, benchmarks and tools. */
export function ephemeralConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: "127.0.0.1",
    httpPort: 0,
    wsPort: 0,
    dataDir: null,
    allowedOrigins: [],
    allowedHosts: [],
    localNames: [],
    manualWarmMinGapMs: DEFAULT_MANUAL_WARM_MIN_GAP_MS,
    cacheTtlMs: DEFAULT_CACHE_TTL_MS,
    prices: {},
    cacheTier: "5m",
    maxWarmsPerMinute: DEFAULT_MAX_WARMS_PER_MINUTE,
    maxUsdPerMinute: 0,
    maxEnabledConversations: DEFAULT_MAX_ENABLED_CONVERSATIONS,
    maxSocketsPerAddress: DEFAULT_TRANSPORT_LIMITS.maxSocketsPerAddress,
    devRoutes: false,
    defaultPolicy: "fixed",
    // Tests drive fake time: the simulator answers at once unless a test asks otherwise.
    simulatorLatencyMs: 0,
    simulatorBillPath: null,
    ...overrides,
  };
}
