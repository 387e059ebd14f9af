// The offline run: the writer's drafts and the person's answers.
import type { ScriptedReply } from '@handrail/core/testing';

export const task = 'Draft an email to Dana Whitfield at Northwind: the Q3 report will be two days late; offer a call on Thursday.';

export const writerScript: ScriptedReply[] = [
  `Subject: Q3 report: short delay

Hi Dana,

I wanted to let you know that the Q3 report will reach you two days later than planned, as we are still reconciling the regional figures. I am sorry for the inconvenience.

Would a short call on Thursday suit you? I can walk you through the main numbers then.

Best regards,
Sam`,
  `Subject: Q3 report arrives Friday

Hi Dana,

The Q3 report will reach you on Friday, two days later than planned. Could we talk it through on Thursday?

Best,
Sam`,
];

export const humanAnswers = ['Shorter, and say it arrives on Friday.', 'exit'];
