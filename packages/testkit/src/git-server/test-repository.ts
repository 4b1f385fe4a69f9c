import { runGit } from './run-git.js';

/** The content of one path in {@link CommitOptions.files}. */
export type TestFileContent =
  | string
  | Uint8Array
  | { symlink: string }
  | { executable: string | Uint8Array }
  | null;

/** Options of {@link TestRepository.commit}. */
export interface CommitOptions {
  /** The branch to commit to (default: the repository's default branch). */
  branch?: string;
  /**
   * Paths (POSIX, relative to the repository root) to write: text or bytes, `{ symlink: target }`,
   * `{ executable: content }`, or `null` to delete the path.
   */
  files?: Record<string, TestFileContent>;
  /** Start from an empty tree instead of the parent's tree. */
  replace?: boolean;
  /**
   * The parent commit id; default the branch tip. `null` makes a root commit, which with an existing
   * branch is a force-push of unrelated history.
   */
  parent?: string | null;
  /** The commit message (default `commit N`). */
  message?: string;
  /** The author (and committer). */
  author?: { name: string; email: string };
  /** The author date, RFC 3339 (default a fixed date plus one second per commit). */
  date?: string;
}

let clock = Date.parse('2024-01-01T00:00:00Z') / 1000;

function quotePath(path: string): string {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * A bare repository served by the test git server, with helpers that write commits directly
 * through `git fast-import` (no work tree): any tree of files, symlinks, tags, branches and
 * force-pushes.
 */
export class TestRepository {
  constructor(
    /** The repository name (without `.git`). */
    readonly name: string,
    /** The bare repository directory. */
    readonly dir: string,
    /** The clone URL. */
    readonly url: string,
  ) {}

  /** Runs native git in the repository. */
  git(...args: string[]): Promise<string> {
    return runGit(args, this.dir);
  }

  /** The default branch (what HEAD points to). */
  async defaultBranch(): Promise<string> {
    return (await this.git('symbolic-ref', '--short', 'HEAD')).trim();
  }

  /** The object id `rev` names, or undefined when it names nothing. */
  async revParse(rev: string): Promise<string | undefined> {
    try {
      return (await this.git('rev-parse', '--verify', '--quiet', `${rev}^{commit}`)).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes a commit and moves the branch to it (forcibly); returns the commit id. */
  async commit(options: CommitOptions = {}): Promise<string> {
    const branch = options.branch ?? (await this.defaultBranch());
    const parent =
      options.parent === undefined
        ? await this.revParse(`refs/heads/${branch}`)
        : (options.parent ?? undefined);
    clock += 1;
    const when = options.date === undefined ? clock : Math.floor(Date.parse(options.date) / 1000);
    const who = options.author ?? { name: 'Test Author', email: 'author@example.com' };
    const message = options.message ?? `commit ${clock}`;
    const chunks: Buffer[] = [];
    const text = (s: string) => chunks.push(Buffer.from(s, 'utf8'));
    const data = (bytes: Buffer) => {
      text(`data ${bytes.length}\n`);
      chunks.push(bytes);
      text('\n');
    };
    const tmpRef = 'refs/gitops-kit-tmp/commit';
    text(`commit ${tmpRef}\nmark :1\n`);
    text(`author ${who.name} <${who.email}> ${when} +0000\n`);
    text(`committer ${who.name} <${who.email}> ${when} +0000\n`);
    data(Buffer.from(message, 'utf8'));
    if (parent !== undefined) text(`from ${parent}\n`);
    if (options.replace === true || parent === undefined) text('deleteall\n');
    for (const [path, content] of Object.entries(options.files ?? {})) {
      if (content === null) {
        text(`D ${quotePath(path)}\n`);
      } else if (typeof content === 'string' || content instanceof Uint8Array) {
        text(`M 100644 inline ${quotePath(path)}\n`);
        data(Buffer.from(content));
      } else if ('symlink' in content) {
        text(`M 120000 inline ${quotePath(path)}\n`);
        data(Buffer.from(content.symlink, 'utf8'));
      } else {
        text(`M 100755 inline ${quotePath(path)}\n`);
        data(Buffer.from(content.executable));
      }
    }
    text('\n');
    // A fresh temporary ref each time, so fast-import never needs a fast-forward.
    await this.git('update-ref', '-d', tmpRef).catch(() => '');
    await runGit(['fast-import', '--quiet', '--force', '--date-format=raw'], this.dir, Buffer.concat(chunks));
    const id = (await this.git('rev-parse', tmpRef)).trim();
    await this.git('update-ref', `refs/heads/${branch}`, id);
    await this.git('update-ref', '-d', tmpRef);
    return id;
  }

  /** Creates or moves (force) a tag; annotated when `message` is given. Returns the commit id it names. */
  async tag(name: string, target = 'HEAD', options: { message?: string } = {}): Promise<string> {
    if (options.message !== undefined) {
      await this.git('tag', '-f', '-a', '-m', options.message, name, target);
    } else {
      await this.git('tag', '-f', name, target);
    }
    return (await this.revParse(`refs/tags/${name}`)) ?? '';
  }

  /** Creates or force-moves branch `name` to `target`. */
  async branch(name: string, target: string): Promise<void> {
    await this.setRef(`refs/heads/${name}`, target);
  }

  /** Sets any ref (e.g. `refs/pull/1/head`) to `target`, as a force-push would. */
  async setRef(ref: string, target: string): Promise<void> {
    const id = await this.revParse(target);
    if (id === undefined) throw new Error(`unknown revision ${target}`);
    await this.git('update-ref', ref, id);
  }

  /** Deletes a ref. */
  async deleteRef(ref: string): Promise<void> {
    await this.git('update-ref', '-d', ref);
  }
}
