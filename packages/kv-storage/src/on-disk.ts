// What lies on the disk beside the database, read before SQLite opens it, because SQLite's own
// recovery is silent: it drops what follows a damaged WAL frame, replays a WAL whatever
// database it came from, and takes an empty file for a new database.
import { randomInt } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { basename } from "node:path";

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
/** Where SQLite's file header keeps `PRAGMA application_id`: here, the database's identity. */
const IDENTITY_OFFSET = 68;

export interface WalScan {
  /** Why SQLite's recovery would drop a committed transaction; null when it would not. */
  readonly damage: string | null;
  /** The identity in the last page 1 that recovery keeps (every commit writes page 1). */
  readonly identity: number | null;
}

function readIfThere(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

/** SQLite's recovery, read only: frames replay until the first whose checksum fails. */
function scanWal(wal: Buffer): WalScan {
  const none = { damage: null, identity: null };
  if (wal.length < WAL_HEADER_BYTES) return none; // nothing was ever committed to it
  const magic = wal.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) {
    return { ...none, damage: "its header is not a WAL header" };
  }
  // The checksums run over 32-bit words in the byte order the magic number names.
  const word = magic === 0x377f0683 ? wal.readUInt32BE.bind(wal) : wal.readUInt32LE.bind(wal);
  const sum = (from: number, bytes: number, seed: readonly [number, number]) => {
    let [s1, s2] = seed;
    for (let i = from; i < from + bytes; i += 8) {
      s1 = (s1 + word(i) + s2) >>> 0;
      s2 = (s2 + word(i + 4) + s1) >>> 0;
    }
    return [s1, s2] as const;
  };
  const stored = (at: number) => [wal.readUInt32BE(at), wal.readUInt32BE(at + 4)] as const;
  const same = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1];
  let checksum = sum(0, 24, [0, 0]);
  if (!same(checksum, stored(24))) return { ...none, damage: "its header fails its checksum" };
  const pageBytes = wal.readUInt32BE(8);
  const salts = stored(16);
  const frameBytes = FRAME_HEADER_BYTES + pageBytes;
  // SQLite appends a frame in two writes, its header then its page, and a file's size only
  // ever lands on a write's end, even after a power loss: what a crash leaves ends on a frame,
  // or on a frame's header. Any other end was cut by something else, and SQLite's recovery
  // would drop whatever the cut took without a word.
  const tail = (wal.length - WAL_HEADER_BYTES) % frameBytes;
  if (tail !== 0 && tail !== FRAME_HEADER_BYTES) {
    return {
      ...none,
      damage: `it ends ${tail} bytes into a frame, where no write of SQLite's ends: it was cut short, and what it held after the cut is gone`,
    };
  }
  const ofThisWal = (at: number) => same(stored(at + 8), salts);
  // A nonzero database size marks a frame that commits its transaction.
  const commits = (at: number) => wal.readUInt32BE(at + 4) !== 0;
  let identity: number | null = null;
  let pending: number | null = null; // page 1's identity in the transaction not yet committed
  let at = WAL_HEADER_BYTES;
  for (; at + frameBytes <= wal.length && ofThisWal(at); at += frameBytes) {
    checksum = sum(at + FRAME_HEADER_BYTES, pageBytes, sum(at, 8, checksum));
    if (!same(checksum, stored(at + 16))) break;
    if (wal.readUInt32BE(at) === 1) {
      pending = wal.readInt32BE(at + FRAME_HEADER_BYTES + IDENTITY_OFFSET);
    }
    if (commits(at) && pending !== null) {
      identity = pending;
      pending = null;
    }
  }
  const failing = (at - WAL_HEADER_BYTES) / frameBytes + 1;
  for (let later = at + frameBytes; later + frameBytes <= wal.length; later += frameBytes) {
    if (ofThisWal(later) && commits(later)) {
      return {
        damage: `frame ${failing} fails its checksum and a committed transaction follows it`,
        identity,
      };
    }
  }
  return { damage: null, identity };
}

/**
 * Whether a WAL file holds a committed transaction that SQLite's recovery would drop: it
 * replays frames until the first whose checksum fails and forgets the rest. A crash can only
 * tear the last transaction, which was never acknowledged (nothing committed follows it);
 * a commit frame of this WAL after a failing frame means damage. Null when there is none.
 */
export function walDamage(walPath: string): string | null {
  return readWal(walPath)?.damage ?? null;
}

/** The WAL file read and scanned once: null when there is none. */
export function readWal(walPath: string): WalScan | null {
  const wal = readIfThere(walPath);
  return wal === null ? null : scanWal(wal);
}

/** The database file's first bytes: null when there is no file. */
function headerOf(dbPath: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(dbPath, "r");
  } catch {
    return null;
  }
  try {
    const header = Buffer.alloc(100);
    return header.subarray(0, readSync(fd, header, 0, 100, 0));
  } finally {
    closeSync(fd);
  }
}

const hex = (identity: number) => (identity >>> 0).toString(16).padStart(8, "0");

export type IdentityCheck =
  | { readonly ok: true; readonly identity: number; readonly toRecord: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether the database and its WAL are this data directory's. A database gets a random
 * identity when it is made (`PRAGMA application_id`), recorded beside it in `<database>.id`;
 * at every start, the identity the database will have once its WAL is replayed must be the
 * recorded one. A folder without the record (new, restored from a backup, or from before
 * identities) takes the database's identity, or a new one.
 */
export function checkIdentity(dbPath: string, wal: WalScan | null): IdentityCheck {
  const idPath = `${dbPath}.id`;
  const record = readIfThere(idPath)?.toString("utf8").trim() ?? null;
  const header = headerOf(dbPath);
  const fromFile =
    header !== null && header.length >= 100 ? header.readInt32BE(IDENTITY_OFFSET) : 0;
  const fromWal = wal?.identity ?? null;
  const current = fromWal ?? fromFile;
  const name = basename(dbPath);
  if (record === null) {
    return { ok: true, identity: current !== 0 ? current : randomInt(1, 2 ** 31), toRecord: true };
  }
  const refuse = (what: string) => ({
    ok: false as const,
    reason: `${what}, but ${basename(idPath)} says this folder's is ${record}: restore the files that belong here, or move ${basename(idPath)} away to start from what is there`,
  });
  if (!/^[0-9a-f]{8}$/.test(record)) {
    return {
      ok: false,
      reason: `${idPath} does not hold a database identity ("${record.slice(0, 40)}")`,
    };
  }
  if (header === null || header.length < 100)
    return refuse(`${name} is missing, empty or cut short`);
  if (hex(current) === record) return { ok: true, identity: current, toRecord: false };
  if (fromWal !== null && hex(fromFile) === record) {
    return refuse(`${name}-wal is another database's (identity ${hex(fromWal)})`);
  }
  return refuse(`${name} is another database's (identity ${hex(current)})`);
}

/** Records the identity beside the database, on the disk before anything relies on it. */
export function recordIdentity(dbPath: string, identity: number): void {
  const fd = openSync(`${dbPath}.id`, "w");
  try {
    writeSync(fd, `${hex(identity)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
