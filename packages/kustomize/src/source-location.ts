/** Where an object came from. */
export interface SourceLocation {
  /**
   * The file, relative to the rendered root (or the generator's kustomization file); for an object
   * of a remote base, relative to the directory its git URL names (see `remote`).
   */
  file: string;
  /** 1-based line of the document in that file. */
  line: number;
  /** Set for an object of a remote base (a git URL in `resources`): which repository and revision. */
  remote?: RemoteSource;
}

/** The remote base an object came from ({@link SourceLocation.remote}). */
export interface RemoteSource {
  /** The git URL as the kustomization wrote it (`https://host/org/repo//dir?ref=v1`), credentials removed. */
  url: string;
  /** The revision the remote loader read (`v1@sha1:…` from `@gitops-kit/git`'s loader). */
  revision: string;
  /**
   * What the loader's file system says it is, when it says (`the root of https://host/org/repo.git
   * at v1@sha1:…`): the repository as fetched.
   */
  origin?: string;
}
