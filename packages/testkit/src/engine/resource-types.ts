import { builtinResourceTypes, type ResourceType } from '../resources.js';

/** The served resource types: the built-in ones, and those of the stored CRDs as they come and go. */
export class ResourceTypes {
  private readonly list: ResourceType[] = builtinResourceTypes();

  /** Every served type (the live array). */
  get all(): ResourceType[] {
    return this.list;
  }

  /** The type served at `group/version/plural`. */
  byResource(group: string, version: string, plural: string): ResourceType | undefined {
    return this.list.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  /** The type of `group/version/kind`. */
  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.list.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** The first custom type of `group` and `plural`. */
  custom(group: string, plural: string): ResourceType | undefined {
    return this.list.find((t) => t.custom && t.group === group && t.plural === plural);
  }

  /** Forgets every custom type of `group` and `plural`. */
  removeCustom(group: string, plural: string): void {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const t = this.list[i] as ResourceType;
      if (t.custom && t.group === group && t.plural === plural) this.list.splice(i, 1);
    }
  }

  /** Serves `types` too. */
  add(types: ResourceType[]): void {
    this.list.push(...types);
  }
}
