/**
 * A boolean query parameter as kube-apiserver reads it (apimachinery's
 * `runtime.Convert_Slice_string_To_bool`, used for every boolean of ListOptions, PatchOptions…):
 * absent is false; its first value `0` or `false` in any case is false; any other value, the empty
 * string included (`?watch`), is true. Not `strconv.ParseBool`: `watch=yes` watches, it is no 400.
 * `undefined` when absent, for the pointer fields (`force`) that tell absent from false.
 */
export function queryBool(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  return !(value === '0' || value.toLowerCase() === 'false');
}
