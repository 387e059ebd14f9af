// Times as people read them: the date, the time to the second, and the zone, never raw ISO.
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/**
 * A moment (an ISO string as records keep it, a Date or epoch milliseconds) as `1 Mar 2025,
 * 10:00:05 UTC`. In UTC, so every reader of a Slack message or an approval page sees the same
 * text whatever their machine's zone. Text that is not a time comes back as it is, so a hostile
 * or malformed value is shown, never thrown on.
 *
 * @example
 * formatTime('2025-03-01T10:00:05.000Z'); // '1 Mar 2025, 10:00:05 UTC'
 */
export function formatTime(time: string | number | Date): string {
  const date = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  return `${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC`;
}
