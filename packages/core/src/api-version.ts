/** A parsed apiVersion: `apps/v1` → `{ group: 'apps', version: 'v1' }`; `v1` → core group `''`. */
export interface GroupVersion {
  group: string;
  version: string;
}

/** Splits an apiVersion into group and version. The core group is the empty string. */
export function parseApiVersion(apiVersion: string): GroupVersion {
  const slash = apiVersion.lastIndexOf('/');
  if (slash < 0) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Joins a group and a version into an apiVersion (`v1` for the core group). */
export function formatApiVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** The group of an apiVersion (`''` for the core group). */
export function apiGroupOf(apiVersion: string): string {
  return parseApiVersion(apiVersion).group;
}
