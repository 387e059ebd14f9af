// The offline run: what the scripted operator reports and what the admin answers.
import type { ScriptedReply } from '@handrail/core/testing';

export const task = 'Free up disk space on db-1 and report what you did. Finish with TERMINATE on its own line.';

export const operatorScript: ScriptedReply[] = [
  'Checked disk usage on db-1: / is 91% full.',
  'The largest folders are /var/backups (40 GB) and /var/log (12 GB).',
  'Plan: delete the backups in /var/backups older than 30 days, about 28 GB.',
  'Understood, keeping 60 days of backups. Compressed the logs in /var/log older than 7 days: 9 GB freed.',
  'Rotated the nginx and postgres logs.',
  'Vacuumed the analytics database: 3 GB freed.',
  'Cleared the package cache: 2 GB freed.',
  'Moved the backups older than 60 days to cold storage: 11 GB freed.',
  'Disk usage on db-1 is now 58%.',
  'Summary: 25 GB freed on db-1, now 58% full; the last 60 days of backups are kept.\nTERMINATE',
];

/** The admin's answers: at the sensitive keyword, at the checkpoint (Enter), at the end (Enter). */
export const humanAnswers = ['Keep 60 days of backups; move only older ones to cold storage.', '', ''];
