// The hash chain: each record carries the hash of the one before and its own, so an edit,
// a deletion, an insertion or a reordering breaks the chain where it happened.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../compile/hash.js';
import { auditRecordMac } from './anchor.js';
import type { AuditEntry, AuditRecord } from './record.js';

/**
 * The `prev` of a log's first record: no record came before it.
 *
 * @example
 * auditGenesisHash; // 'sha256:0000…0000'
 */
export const auditGenesisHash = `sha256:${'0'.repeat(64)}`;

/**
 * A record's hash: sha256 of its canonical JSON (keys sorted at every level, no spaces, no
 * `undefined` members) without its `hash` and `mac` members, as `sha256:<hex>`. As `prev` holds
 * the hash of the record before, each hash covers the whole log up to its record.
 *
 * @example
 * const ok = auditRecordHash(record) === record.hash;
 */
export function auditRecordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  const { hash: _own, mac: _mac, ...body } = record as AuditRecord;
  return `sha256:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}

/**
 * Chains an entry after `previous` (the log's last record; none for an empty log): numbers it,
 * links it and hashes it; with the log's `key`, also signs it (`mac`, see `auditRecordMac`).
 *
 * @example
 * const first = chainAuditRecord(entry, undefined, key);
 * const second = chainAuditRecord(nextEntry, first, key);
 */
export function chainAuditRecord(entry: AuditEntry, previous?: Pick<AuditRecord, 'seq' | 'hash'>, key?: Uint8Array): AuditRecord {
  // Members in reading order: the position and time first, the chain last.
  const { time, type, ...rest } = entry;
  const body = { seq: (previous?.seq ?? 0) + 1, time, type, ...rest, prev: previous?.hash ?? auditGenesisHash } as Omit<AuditRecord, 'hash'>;
  const hash = auditRecordHash(body);
  return (key ? { ...body, hash, mac: auditRecordMac(key, hash) } : { ...body, hash }) as AuditRecord;
}

/**
 * The line a record is written as: its JSON and a newline.
 *
 * @example
 * await handle.write(auditLine(record));
 */
export function auditLine(record: AuditRecord): string {
  return `${JSON.stringify(record)}\n`;
}
