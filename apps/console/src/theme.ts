import { createTheme, type CSSVariablesResolver } from '@mantine/core';

// System fonts only: the gateway's CSP allows nothing from elsewhere, and a reviewer on a phone should not wait for a font.
export const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 6 under white text is 4.3:1, short of WCAG AA; 7 and 8 pass.
  primaryShade: { light: 7, dark: 8 },
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
});

/**
 * Mantine's dimmed text (gray 6 on white) falls short of WCAG AA contrast; a reviewer reads
 * timestamps and reasons in it all day. One step darker in light, one lighter in dark.
 */
export const cssVariablesResolver: CSSVariablesResolver = (current) => ({
  variables: {},
  // Field errors too: Mantine's red (red 6 on white, 3.3:1) is short of AA where a person reads what to fix.
  light: { '--mantine-color-dimmed': current.colors.gray[7], '--mantine-color-error': current.colors.red[9] },
  dark: { '--mantine-color-dimmed': current.colors.dark[1], '--mantine-color-error': current.colors.red[4] },
});
