// The project's .env, as the preview's boot program applies it before importing the app
// (libs/runtime/boot/preview_boot.py: python-dotenv's rules, never over a variable the launch set).
// KEY=value lines; `export ` prefixes, one pair of matching quotes and ` #` comments removed.

export const parseDotenv = (text: string): Record<string, string> => {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n|\r/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || !line.includes("=")) continue;
    const at = line.indexOf("=");
    let key = line.slice(0, at).trim();
    if (key.startsWith("export ")) key = key.slice("export ".length).trim();
    let value = line.slice(at + 1).trim();
    if (value.length >= 2 && value[0] === value[value.length - 1] && (value[0] === "'" || value[0] === '"')) value = value.slice(1, -1);
    else if (value.includes(" #")) value = value.slice(0, value.indexOf(" #")).trimEnd();
    if (key) values[key] = value;
  }
  return values;
};

/** The environment the app is imported with: the launch's variables over the project's .env. */
export const importEnvironment = (dotenv: string | null, launch: Readonly<Record<string, string>>): Map<string, string> =>
  new Map(Object.entries({ ...(dotenv === null ? {} : parseDotenv(dotenv)), ...launch }));
