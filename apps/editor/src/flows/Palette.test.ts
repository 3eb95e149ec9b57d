import { describe, expect, it } from 'vitest';
import { filterPalette, groupPalette } from './Palette';
import { testManifestNodes } from './testManifest';

describe('palette', () => {
  it('searches labels in every language and descriptions', () => {
    expect(filterPalette(testManifestNodes, '訊息').map((n) => n.key)).toEqual(['action.send_message@1']);
    expect(filterPalette(testManifestNodes, 'esperar').map((n) => n.key)).toEqual(['control.wait_for_event@1']);
    expect(filterPalette(testManifestNodes, '')).toHaveLength(3);
  });
  it('groups by category in the manifest order', () => {
    const categories = [{ id: 'flow', label: { en: 'Flow' } }, { id: 'triggers', label: { en: 'Triggers' } }, { id: 'messaging', label: { en: 'Messages' } }];
    expect(groupPalette(testManifestNodes, categories).map((g) => g.category)).toEqual(['flow', 'triggers', 'messaging']);
    expect(groupPalette(testManifestNodes).map((g) => g.category)).toEqual(['triggers', 'messaging', 'flow']);
  });
});
