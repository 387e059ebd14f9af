import { compilePolicy, decide, PolicyError } from './src/index.js';
for (const [re, s] of [['(.*a){12}', 'a'.repeat(28)], ['(x+x+)+y', 'x'.repeat(26)], ['\\s*\\s*\\s*\\s*\\s*x', ' '.repeat(3000)], ['(?:a|b)*(?:a|b)*(?:a|b)*c', 'ab'.repeat(300)]] as const) {
  try {
    const p = compilePolicy(`policy a\nrule r: when content matches /${re}/ then stop`);
    const t0 = performance.now();
    const d = await decide(p, { content: s });
    console.log(re, 'compiled; decide took', Math.round(performance.now() - t0), 'ms', d.action);
  } catch (e) { console.log(re, PolicyError.isInstance(e) ? e.message : e); }
}
