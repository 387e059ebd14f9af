// The keyed half of the audit log. A plain hash chain shows an edit, a deletion or a reordering,
// but anyone can cut records off its end or write a whole new chain from the genesis hash. So a
// writer that holds a key (kept apart from the log) also
// - signs each record it appends with an HMAC of the record's hash (`mac`), and
// - after each append, replaces the log's anchor (a small file beside it) with the number and
//   hash of the last record, HMAC'ed with the same key.
// The anchor vouches for every record up to its `seq` (each hash covers the whole log before
// it), so a cut-off end or a rewritten log no longer matches it, and without the key neither the
// anchor nor a record's mac can be forged.
import { createHmac } from 'node:crypto';

/**
 * A log's anchor: the number and hash of its last record when it was written, and an HMAC of
 * both with the log's key.
 *
 * @example
 * const anchor: AuditAnchor = { seq: 212, hash: 'sha256:c3a8…', mac: 'hmac-sha256:…' };
 */
export interface AuditAnchor {
  seq: number;
  hash: string;
  mac: string;
}

const keyPattern = /^[0-9a-f]{64}$/;
const hashPattern = /^sha256:[0-9a-f]{64}$/;
const macPattern = /^hmac-sha256:[0-9a-f]{64}$/;

// The two MACs are over differently prefixed messages, so a record's mac can never pass for an
// anchor's (which would let anyone anchor a log at any of its records).
function hmac(key: Uint8Array, message: string): string {
  return `hmac-sha256:${createHmac('sha256', key).update(message).digest('hex')}`;
}

/**
 * Reads a key as written in a key file: 64 hex digits (32 bytes), whitespace around them ignored.
 * Throws on anything else, so a damaged key is never used as a different key.
 *
 * @example
 * const key = parseAuditKey(readFileSync('audit.jsonl.key', 'utf8'));
 */
export function parseAuditKey(text: string): Uint8Array {
  const hex = text.trim();
  if (!keyPattern.test(hex)) throw new Error('an audit key is 64 hexadecimal digits (32 bytes)');
  return Buffer.from(hex, 'hex');
}

/**
 * The `mac` of a record: HMAC-SHA256 with the log's key of its `hash` (which covers the record
 * and, through `prev`, every record before it), as `hmac-sha256:<hex>`.
 *
 * @example
 * const authentic = auditRecordMac(key, record.hash) === record.mac;
 */
export function auditRecordMac(key: Uint8Array, hash: string): string {
  return hmac(key, `handrail audit record\n${hash}`);
}

/**
 * The anchor of a log whose last record is number `seq` with hash `hash` (0 and the genesis
 * hash for an empty log).
 *
 * @example
 * await writeFile('audit.jsonl.anchor', auditAnchorLine(auditAnchor(key, record.seq, record.hash)));
 */
export function auditAnchor(key: Uint8Array, seq: number, hash: string): AuditAnchor {
  return { seq, hash, mac: hmac(key, `handrail audit anchor\n${seq}\n${hash}`) };
}

/**
 * The text of an anchor file: its JSON and a newline.
 *
 * @example
 * auditAnchorLine(auditAnchor(key, 0, auditGenesisHash)); // '{"seq":0,"hash":"sha256:000…","mac":"hmac-sha256:…"}\n'
 */
export function auditAnchorLine(anchor: AuditAnchor): string {
  return `${JSON.stringify({ seq: anchor.seq, hash: anchor.hash, mac: anchor.mac })}\n`;
}

/**
 * Reads an anchor file's text and checks its MAC with `key`: the anchor, or why it is not one
 * (damaged, forged, or made with another key).
 *
 * @example
 * const read = readAuditAnchor(readFileSync('audit.jsonl.anchor', 'utf8'), key);
 * if ('problem' in read) console.error(read.problem);
 */
export function readAuditAnchor(text: string, key: Uint8Array): { anchor: AuditAnchor } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `the anchor is not valid JSON (${(error as Error).message})` };
  }
  const anchor = value as Partial<AuditAnchor> | null;
  if (
    anchor === null ||
    typeof anchor !== 'object' ||
    !Number.isInteger(anchor.seq) ||
    anchor.seq! < 0 ||
    typeof anchor.hash !== 'string' ||
    !hashPattern.test(anchor.hash) ||
    typeof anchor.mac !== 'string' ||
    !macPattern.test(anchor.mac)
  )
    return { problem: 'the anchor is not { seq, hash, mac }' };
  // Exactly as a writer writes it: an anchor has one spelling.
  if (auditAnchorLine(anchor as AuditAnchor) !== text) return { problem: 'the anchor is not as the writer writes it: it was edited' };
  if (auditAnchor(key, anchor.seq!, anchor.hash).mac !== anchor.mac) return { problem: 'the anchor was not written with this key: it was forged, or the key is not this log\'s' };
  return { anchor: { seq: anchor.seq!, hash: anchor.hash, mac: anchor.mac } };
}
