// Reading the command's input: FILE arguments through the loader, choosing a platform, and the
// failure that ends a command with exit status 2 (shared by every command).
import * as path from 'node:path';
import type { Finding } from '../findings/finding.js';
import type { Platform } from '../model/platform.js';
import type { LoadedInput, Loader } from './frontend.js';

export interface InputIo {
    cwd: string;
}

/** A failure that ends the command with exit status 2: each line on stderr after `pciplat: `. */
export class CliFailure extends Error {
    override name = 'CliFailure';
    readonly lines: string[];
    constructor(...lines: string[]) {
        super(lines.join('; '));
        this.lines = lines;
    }
}

const ERRNO: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
};

export function readableDetail(detail: string): string {
    const code = /\b(E[A-Z]+)\b/.exec(detail)?.[1];
    const plain = code ? ERRNO[code] : undefined;
    return plain ? `${plain} (${code})` : detail;
}

/**
 * Loads FILE arguments: resolved against io.cwd before they reach the loader (so it does not
 * depend on the process's directory); unreadable ones end the command with exit 2.
 */
export async function loadFiles(files: string[], io: InputIo, load: Loader): Promise<LoadedInput> {
    const typed = new Map<string, string>();
    const resolved = files.map((f) => {
        const abs = path.resolve(io.cwd, f);
        if (!typed.has(abs)) typed.set(abs, f);
        return abs;
    });
    const input = await load(resolved);
    if (input.unreadable.length > 0) {
        throw new CliFailure(
            ...input.unreadable.map((u) => `cannot read ${typed.get(u.path) ?? typed.get(path.resolve(io.cwd, u.path)) ?? u.path}: ${readableDetail(u.detail)}`),
        );
    }
    return input;
}

export function names(items: readonly { name: string }[]): string {
    return items.map((i) => i.name).join(', ');
}

export function choosePlatform(file: string, platforms: readonly Platform[], wanted: string | undefined, languageFindings: readonly Finding[]): Platform {
    if (wanted !== undefined) {
        const found = platforms.find((p) => p.name === wanted);
        if (found) return found;
        if (platforms.length === 0) throw new CliFailure(`${file} declares no platform (so none named '${wanted}')${errorHint(file, languageFindings)}`);
        throw new CliFailure(`${file} declares no platform '${wanted}'; its platforms: ${names(platforms)}`);
    }
    if (platforms.length === 1) return platforms[0]!;
    if (platforms.length === 0) throw new CliFailure(`${file} declares no platform${errorHint(file, languageFindings)}`);
    throw new CliFailure(`${file} declares ${platforms.length} platforms; choose one with --platform: ${names(platforms)}`);
}

function errorHint(file: string, findings: readonly Finding[]): string {
    const errors = findings.filter((f) => f.severity === 'error').length;
    return errors === 0 ? '' : ` (it has ${errors} error${errors === 1 ? '' : 's'}: run 'pciplat check ${file}')`;
}

