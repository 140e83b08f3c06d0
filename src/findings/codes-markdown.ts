// docs/diagnostics.md, rendered from the catalogue (npm run docs:codes writes it; a test checks
// the committed file is current).
import { CODES, type CodeInfo } from './codes.js';

const LAYERS: { layer: CodeInfo['layer']; heading: string; intro: string }[] = [
    { layer: 'input', heading: 'Reading the input', intro: 'Problems with the files themselves: syntax, imports, names.' },
    { layer: 'language', heading: 'Language checks', intro: 'Checked on every keystroke, without simulation.' },
    { layer: 'fabric', heading: 'Fabric simulation', intro: 'Found by enumerating the fabric, placing resources and translating IDs as Linux does.' },
    { layer: 'hypervisor', heading: 'Hypervisor simulation', intro: 'Found by playing the configuration the way Xen or KVM/VFIO would.' },
    { layer: 'scenario', heading: 'Scenarios', intro: 'Found while playing a scenario step by step.' },
    { layer: 'compare', heading: 'Comparing with the real machine', intro: "Reading a real machine's IOMMU groups and comparing them with the prediction (`pciplat compare`, the editor's Compare with the real machine)." },
];

function cell(text: string): string {
    return text.replace(/\|/g, '\\|');
}

export function renderCodesMarkdown(): string {
    const lines = [
        '# Diagnostic codes',
        '',
        'Every finding pciplat reports has one of these stable codes. The severity is the default;',
        'a few rules raise or lower it depending on the hypervisor profile, and then say so in the',
        'message. This file is generated from `src/findings/codes.ts` by `npm run docs:codes`.',
        '',
    ];
    for (const { layer, heading, intro } of LAYERS) {
        const entries = Object.entries(CODES).filter(([, info]) => info.layer === layer);
        if (entries.length === 0) continue;
        lines.push(`## ${heading}`, '', intro, '', '| Code | Severity | What | Why it matters |', '|---|---|---|---|');
        for (const [code, info] of entries) lines.push(`| \`${code}\` | ${info.severity} | ${cell(info.title)} | ${cell(info.why)} |`);
        lines.push('');
    }
    return lines.join('\n');
}

/** The short table in README.md (code, severity, title). */
export function renderCodesTable(): string {
    const rows = Object.entries(CODES).map(([code, info]) => `| \`${code}\` | ${info.severity} | ${cell(info.title)} |`);
    return ['| Code | Severity | What |', '|---|---|---|', ...rows].join('\n');
}

const BEGIN = '<!-- codes:begin -->';
const END = '<!-- codes:end -->';

/** README.md with the text between its codes markers replaced by the current table. */
export function withCodesTable(readme: string): string {
    const start = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    if (start < 0 || end < start) return readme;
    return `${readme.slice(0, start + BEGIN.length)}\n${renderCodesTable()}\n${readme.slice(end)}`;
}
