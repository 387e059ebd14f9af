// `pnpm start`: the scripted assistant's calls through handrail-mcp to the shop, offline.
import { runShop } from './demo.js';

await runShop((line) => console.log(line));
