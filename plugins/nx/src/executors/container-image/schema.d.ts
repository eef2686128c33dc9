// Generated from schema.json by tools/schema-types.mjs: edit schema.json, then run `node tools/schema-types.mjs`.

/** Build an OCI image and push it: with a Dockerfile through docker buildx (or podman, buildah), multi-arch; without one, daemonless (a Node service or static site layered onto a base image for each of its platforms, reproducibly). Only blobs the registry lacks are uploaded. Leaves the pushed digest for k8s-deploy. */
export interface ContainerImageExecutorOptions {
  /** Where the image goes, without tag: ghcr.io/acme/api, 127.0.0.1:5000/api. Required. */
  image?: string;
  /** Tags pushed (default: the project's version and latest; latest alone without a version). */
  tags?: string[];
  /** auto (default auto): docker when the build context has a Dockerfile, else daemonless (no daemon: the app layered onto a base image); or docker, podman, buildah, daemonless. */
  engine?: "auto" | "docker" | "podman" | "buildah" | "daemonless";
  /** Dockerfile engines: the build context, relative to the workspace root (default: the project root). */
  context?: string;
  /** Dockerfile engines: the Dockerfile (default <context>/Dockerfile). */
  dockerfile?: string;
  /** Dockerfile engines: the stage to build (--target). */
  target?: string;
  /** Dockerfile engines: --build-arg NAME=value. None may hold a secret (build args stay in the image history): a secret-looking name or value is refused; use buildSecrets. */
  buildArgs?: Record<string, string>;
  /** Dockerfile engines: secret id → the NAME of the variable holding it, passed as --secret id=<id>,env=<NAME> (read with RUN --mount=type=secret,id=<id>). */
  buildSecrets?: Record<string, string>;
  /** Dockerfile engines: registry build cache (default <image>:buildcache); false turns it off. */
  cacheRef?: string | boolean;
  /** daemonless: service (a Node app) or static (a built site served by nginx) (default service). */
  kind?: "service" | "static";
  /** daemonless: the folder whose files go into the image, relative to the workspace root (default: the project root). */
  appDir?: string;
  /** daemonless: the base (default docker.io/library/node:20-slim for a service, docker.io/nginxinc/nginx-unprivileged:alpine for a static site); pinned by digest in the output. */
  baseImage?: string;
  /** daemonless: the entrypoint (default node <package.json main>, else server.js or index.js). */
  entrypoint?: string[];
  /** daemonless: the command (arguments of the entrypoint). */
  cmd?: string[];
  /** daemonless: environment of the image (not secret: anyone who can pull the image reads it; secret-looking names are refused). */
  env?: Record<string, string>;
  /** daemonless: where the app goes (default /app; static: /usr/share/nginx/html). */
  workdir?: string;
  /** daemonless: the user the image runs as (default 1000:1000, static 101:101: never root). */
  user?: string;
  /** daemonless: the exposed port (default 3000, also set as PORT; static 8080). */
  port?: number;
  /** daemonless: more files to leave out (globs); .git, .env* and the like are always left out. */
  exclude?: string[];
  /** Dockerfile engines: default linux/amd64 and linux/arm64. daemonless: default every platform of the base. */
  platforms?: string[];
  /** More image labels; the OCI labels source, revision, version and created are set from the options. */
  labels?: Record<string, string>;
  /** org.opencontainers.image.source (the repository URL). */
  source?: string;
  /** org.opencontainers.image.revision (default: the commit being built). */
  revision?: string;
  /** org.opencontainers.image.version (default: the project's version). */
  version?: string;
  /** Time of every file and of created, seconds since 1970 (default $SOURCE_DATE_EPOCH, else 0): the same inputs give the same digest. */
  sourceDateEpoch?: number;
  /** Name of the variable holding the registry user name (with passwordEnv). Default: the Docker config (auths, credHelpers, credsStore). */
  usernameEnv?: string;
  /** Name of the variable holding the registry password or token (secret). */
  passwordEnv?: string;
  /** A Docker config.json, relative to the workspace root (default $DOCKER_CONFIG/config.json, else ~/.docker/config.json). */
  dockerConfig?: string;
  /** Registries spoken to over plain http (registries on this machine may be without being listed). */
  insecureRegistries?: string[];
  /** daemonless: a PEM file (relative to the workspace root) of the CA that signed the registry's TLS certificate, trusted besides the public CAs for the image's registry host (a base image or token service on that host included). Default: /etc/docker/certs.d/<host[:port]>/ca.crt of each registry, when it exists. */
  caFile?: string;
  /** Work folder for layers, the OCI layout and metadata files (default tmp/container/<repository>). */
  outputPath?: string;
  /** Blobs uploaded at once (default 4). */
  concurrency?: number;
  /** Per registry request, e.g. 30s (default 30s). */
  timeout?: string | number;
  /**
   * Print the plan and run nothing.
   * @default false
   */
  dryRun?: boolean;
  /** Write the plan (secrets masked) as JSON to this file. */
  planJson?: string;
  /** Append every line of the run (secrets masked) to this file. */
  logFile?: string;
}
