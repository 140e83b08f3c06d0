// Platforms lowered from .pciplat text or files, for engine tests.
import type { Platform } from '../../src/model/platform.js';
import { lowerModel } from '../../language/lower/lower-platform.js';
import { buildFiles, buildTexts } from './workspace.js';

/** The platforms of the first file, after building all files together (`{ 'a.pciplat': text }`). */
export async function platformsFromTexts(files: Record<string, string>): Promise<Platform[]> {
    const { roots } = await buildTexts(files);
    return lowerModel(roots[0]!.parseResult.value);
}

export async function platformFromText(text: string): Promise<Platform> {
    const [platform] = await platformsFromTexts({ 'platform.pciplat': text });
    if (!platform) throw new Error('the text declares no platform');
    return platform;
}

export async function platformsFromFile(path: string): Promise<Platform[]> {
    const { roots } = await buildFiles([path]);
    return lowerModel(roots[0]!.parseResult.value);
}
