package io.pinbff.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Static checks of the deployment artefacts under {@code deploy/} (no cluster, no Docker): every YAML
 * file parses, Kubernetes documents are well-formed, the Deployment is hardened and probed, and the
 * Deployment, compose.yaml and README.md's configuration table name the same environment variables.
 *
 * <p>Plain JUnit: no Quarkus application is started.
 */
class DeployManifestsTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    private static final Path COMPOSE = DEPLOY.resolve("compose.yaml");
    private static final Path README = ROOT.resolve("README.md");
    private static final Path DEPLOYMENT = KUBERNETES.resolve("deployment.yaml");
    private static final Path NETWORK_POLICY = KUBERNETES.resolve("networkpolicy.yaml");

    /** Files that are YAML but not Kubernetes objects; checked by their own tests. */
    private static final Set<String> NOT_KUBERNETES_OBJECTS = Set.of("compose.yaml", "kustomization.yaml");

    /** Optional tuning knobs: documented, but deliberately not part of the manifests. */
    private static final String OPTIONAL_PREFIX = "PINBFF_";

    /** A table row whose first cell is a backticked UPPER_SNAKE name: {@code | `NAME` | ... |}. */
    private static final Pattern TABLE_ROW = Pattern.compile("^\\s*\\|\\s*`([A-Z][A-Z0-9_]*)`\\s*\\|");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*)$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");

    // ---------------------------------------------------------------------------------------------
    // Parsing

    @Test
    void everyYamlFileParsesAndKubernetesDocumentsHaveApiVersionAndKind() {
        List<Path> files = yamlFiles(DEPLOY);
        assertThat(files).as("YAML files under %s", DEPLOY).isNotEmpty();
        assertThat(files).as("compose file").contains(COMPOSE);

        for (Path file : files) {
            List<Object> docs = loadAll(file);
            assertThat(docs).as("documents in %s", ROOT.relativize(file)).isNotEmpty();
            if (NOT_KUBERNETES_OBJECTS.contains(file.getFileName().toString())) {
                continue;
            }
            for (Object doc : docs) {
                assertThat(doc).as("document in %s", ROOT.relativize(file)).isInstanceOf(Map.class);
                Map<String, Object> object = map(doc);
                assertThat(object.get("apiVersion")).as("apiVersion in %s", ROOT.relativize(file))
                        .isInstanceOf(String.class).asString().isNotBlank();
                assertThat(object.get("kind")).as("kind in %s", ROOT.relativize(file))
                        .isInstanceOf(String.class).asString().isNotBlank();
                assertThat(map(object.get("metadata")).get("name")).as("metadata.name in %s", ROOT.relativize(file))
                        .isInstanceOf(String.class);
            }
        }
    }

    @Test
    void kustomizationListsEveryManifestAndNothingElse() {
        Map<String, Object> kustomization = single(KUBERNETES.resolve("kustomization.yaml"));
        assertThat(kustomization).containsEntry("kind", "Kustomization");

        Set<String> listed = new TreeSet<>(strings(kustomization.get("resources")));
        Set<String> present = yamlFiles(KUBERNETES).stream()
                .map(p -> KUBERNETES.relativize(p).toString().replace('\\', '/'))
                .filter(name -> !name.equals("kustomization.yaml"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(listed).as("kustomization.yaml resources vs. files in deploy/kubernetes").isEqualTo(present);
        assertThat(kustomization).as("namespace-agnostic base").doesNotContainKey("namespace");
        for (Object doc : kubernetesObjects()) {
            assertThat(map(map(doc).get("metadata"))).as("namespace-agnostic: %s", map(doc).get("kind"))
                    .doesNotContainKey("namespace");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Configuration: README table == Deployment env == compose env

    @Test
    void deploymentEnvMatchesReadmeConfigurationTable() {
        assertThat(deploymentEnvNames()).as("env[].name in the Deployment vs. README.md configuration table")
                .containsExactlyInAnyOrderElementsOf(readmeConfigurationNames());
    }

    @Test
    void composeEnvMatchesReadmeConfigurationTable() {
        assertThat(composeEnvNames()).as("pin-bff environment in deploy/compose.yaml vs. README.md configuration table")
                .containsExactlyInAnyOrderElementsOf(readmeConfigurationNames());
    }

    @Test
    void deploymentAndComposeNameTheSameVariables() {
        assertThat(deploymentEnvNames()).as("Deployment env vs. compose env")
                .containsExactlyInAnyOrderElementsOf(composeEnvNames());
        assertThat(deploymentEnvNames()).as("optional knobs stay out of the manifests")
                .noneMatch(name -> name.startsWith(OPTIONAL_PREFIX));
    }

    @Test
    void everyDeploymentVariableComesFromTheConfigMapOrTheSecret() {
        Map<String, Object> configMap = kubernetesObject("ConfigMap");
        assertThat(kubernetesObjects()).as("no Secret in the kustomization: apply -k must not overwrite real credentials")
                .noneMatch(o -> "Secret".equals(map(o).get("kind")));
        Map<String, Object> secret = single(DEPLOY.resolve("secret.example.yaml"));
        Set<String> configKeys = map(configMap.get("data")).keySet();
        Set<String> secretKeys = map(secret.get("stringData")).keySet();
        String configName = (String) map(configMap.get("metadata")).get("name");
        String secretName = (String) map(secret.get("metadata")).get("name");
        assertThat(secret).containsEntry("type", "Opaque");

        Map<String, Object> container = container();
        Set<String> fromConfig = new TreeSet<>();
        Set<String> fromSecret = new TreeSet<>();
        for (Object e : list(container.get("env"))) {
            Map<String, Object> env = map(e);
            String name = (String) env.get("name");
            assertThat(env).as("env %s is taken from the ConfigMap/Secret, not inlined", name)
                    .doesNotContainKey("value").containsKey("valueFrom");
            Map<String, Object> valueFrom = map(env.get("valueFrom"));
            if (valueFrom.containsKey("secretKeyRef")) {
                Map<String, Object> ref = map(valueFrom.get("secretKeyRef"));
                assertThat(ref).as("secretKeyRef of %s", name).containsEntry("name", secretName);
                assertThat(secretKeys).as("key %s in the Secret", ref.get("key")).contains((String) ref.get("key"));
                fromSecret.add(name);
            } else {
                Map<String, Object> ref = map(valueFrom.get("configMapKeyRef"));
                assertThat(ref).as("configMapKeyRef of %s", name).containsEntry("name", configName);
                assertThat(configKeys).as("key %s in the ConfigMap", ref.get("key")).contains((String) ref.get("key"));
                fromConfig.add(name);
            }
        }
        assertThat(fromSecret).as("secrets come from the Secret")
                .contains("QUARKUS_DATASOURCE_PASSWORD", "SOLARIS_CLIENT_SECRET");
        assertThat(configKeys).as("no secret in the ConfigMap")
                .doesNotContain("QUARKUS_DATASOURCE_PASSWORD", "SOLARIS_CLIENT_SECRET");

        List<Object> envFrom = list(container.get("envFrom"));
        assertThat(envFrom).extracting(o -> map(o).containsKey("configMapRef")
                ? map(map(o).get("configMapRef")).get("name")
                : map(map(o).get("secretRef")).get("name"))
                .containsExactlyInAnyOrder(configName, secretName);
    }

    // ---------------------------------------------------------------------------------------------
    // Deployment hardening and probes

    @Test
    void containerSecurityContextIsLockedDown() {
        Map<String, Object> container = container();
        Map<String, Object> securityContext = map(container.get("securityContext"));
        assertThat(securityContext).containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("runAsNonRoot", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(strings(map(securityContext.get("capabilities")).get("drop"))).contains("ALL");
        assertThat(map(securityContext.get("seccompProfile"))).containsEntry("type", "RuntimeDefault");

        // The root FS is read-only, so /tmp must be a writable volume.
        Map<String, Object> podSpec = podSpec();
        Set<String> emptyDirs = list(podSpec.get("volumes")).stream().map(DeployManifestsTest::map)
                .filter(v -> v.containsKey("emptyDir")).map(v -> (String) v.get("name"))
                .collect(Collectors.toSet());
        assertThat(list(container.get("volumeMounts"))).map(DeployManifestsTest::map)
                .anySatisfy(m -> {
                    assertThat(m).containsEntry("mountPath", "/tmp");
                    assertThat(emptyDirs).contains((String) m.get("name"));
                });
        assertThat(podSpec).containsEntry("automountServiceAccountToken", false);
    }

    @Test
    void probesPointAtQuarkusHealthEndpointsOnTheManagementPort() {
        Map<String, Object> container = container();
        assertThat(probePath(container, "startupProbe")).isEqualTo("/q/health/started");
        assertThat(probePath(container, "livenessProbe")).isEqualTo("/q/health/live");
        assertThat(probePath(container, "readinessProbe")).isEqualTo("/q/health/ready");

        Set<Object> managementPort = new LinkedHashSet<>();
        for (Object p : list(container.get("ports"))) {
            Map<String, Object> port = map(p);
            if (Integer.valueOf(9000).equals(port.get("containerPort"))) {
                managementPort.add(9000);
                if (port.get("name") != null) {
                    managementPort.add(port.get("name"));
                }
            }
        }
        assertThat(managementPort).as("containerPort 9000 (quarkus.management.port)").isNotEmpty();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(managementPort).as("%s port", probe).contains(map(map(container.get(probe)).get("httpGet")).get("port"));
        }
        Map<String, Object> annotations = map(map(map(map(single(DEPLOYMENT).get("spec")).get("template")).get("metadata"))
                .get("annotations"));
        assertThat(annotations).containsEntry("prometheus.io/port", "9000").containsEntry("prometheus.io/path", "/q/metrics");
    }

    @Test
    void dockerfileRunsTheProductionJvmOptionsOfTheBenchmark() throws IOException {
        String options = Files.readString(ROOT.resolve("bench/jvm.options")).strip();
        assertThat(options).as("bench/jvm.options is one line").doesNotContain("\n").contains("-XX:AOTCache=target/quarkus-app/app.aot");
        String dockerfile = Files.readString(ROOT.resolve("src/main/docker/Dockerfile.jvm"));
        Matcher javaOpts = Pattern.compile("(?m)^ENV JAVA_OPTS=\"([^\"]*)\"").matcher(dockerfile);
        assertThat(javaOpts.find()).as("ENV JAVA_OPTS in Dockerfile.jvm").isTrue();
        assertThat(javaOpts.group(1)).startsWith(options.replace("target/quarkus-app/", "/deployments/") + " ");
        assertThat(dockerfile).contains("RUN java -XX:AOTCacheOutput=/deployments/app.aot");
    }

    @Test
    void networkPolicyLetsMonitoringReachOnlyTheManagementPortAndCallersOnlyTheApi() {
        Map<String, Object> spec = map(single(NETWORK_POLICY).get("spec"));
        for (Object rule : list(spec.get("ingress"))) {
            Map<String, Object> r = map(rule);
            Set<Object> ports = list(r.get("ports")).stream().map(p -> map(p).get("port")).collect(Collectors.toSet());
            boolean monitoring = String.valueOf(r.get("from")).contains("monitoring");
            assertThat(ports).as("ingress rule %s", r.get("from")).containsExactly(monitoring ? 9000 : 8080);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // compose.yaml

    @Test
    void composeRunsTheJvmImageHardenedNextToPostgres() {
        Map<String, Object> services = map(single(COMPOSE).get("services"));
        assertThat(services).containsKeys("postgres", "pin-bff");

        Map<String, Object> app = map(services.get("pin-bff"));
        Map<String, Object> build = map(app.get("build"));
        Path context = DEPLOY.resolve((String) build.get("context")).normalize();
        assertThat(context).isEqualTo(ROOT);
        assertThat(context.resolve((String) build.get("dockerfile"))).isRegularFile();
        assertThat(app).containsEntry("read_only", true);
        assertThat(String.valueOf(app.get("user"))).isEqualTo("185");
        assertThat(strings(app.get("tmpfs"))).contains("/tmp");
        assertThat(map(map(app.get("depends_on")).get("postgres"))).containsEntry("condition", "service_healthy");
        assertThat(map(services.get("postgres"))).containsKey("healthcheck");
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /** Names in README.md's configuration table (rows {@code | `NAME` | ... |}), optional knobs excluded. */
    static Set<String> readmeConfigurationNames() {
        assertThat(README).as("README.md with the configuration table").isRegularFile();
        List<String> lines = readLines(README);
        Set<String> names = tableNames(configurationSection(lines));
        if (names.isEmpty()) {
            names = tableNames(lines);
        }
        names.removeIf(name -> name.startsWith(OPTIONAL_PREFIX));
        assertThat(names).as("configuration table rows in README.md").isNotEmpty();
        return names;
    }

    /** The lines under the first "Configuration" heading, up to the next heading of the same or a higher level. */
    private static List<String> configurationSection(List<String> lines) {
        List<String> section = new ArrayList<>();
        int level = 0;
        boolean inFence = false;
        for (String line : lines) {
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
            }
            Matcher heading = inFence ? null : HEADING.matcher(line);
            if (heading != null && heading.matches()) {
                int headingLevel = heading.group(1).length();
                if (level > 0 && headingLevel <= level) {
                    break;
                }
                if (level == 0 && heading.group(2).toLowerCase().contains("configuration")) {
                    level = headingLevel;
                    continue;
                }
            }
            if (level > 0) {
                section.add(line);
            }
        }
        return section;
    }

    private static Set<String> tableNames(List<String> lines) {
        Set<String> names = new TreeSet<>();
        for (String line : lines) {
            Matcher row = TABLE_ROW.matcher(line);
            if (row.find()) {
                names.add(row.group(1));
            }
        }
        return names;
    }

    private static Set<String> deploymentEnvNames() {
        return list(container().get("env")).stream().map(e -> (String) map(e).get("name"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> composeEnvNames() {
        Object environment = map(map(single(COMPOSE).get("services")).get("pin-bff")).get("environment");
        Set<String> names = new TreeSet<>();
        if (environment instanceof Map<?, ?> m) { // KEY: value
            m.keySet().forEach(k -> names.add(String.valueOf(k)));
        } else { // - KEY=value / - KEY
            strings(environment).forEach(entry -> names.add(entry.split("=", 2)[0]));
        }
        assertThat(names).as("pin-bff environment in compose.yaml").isNotEmpty();
        return names;
    }

    private static String probePath(Map<String, Object> container, String probe) {
        assertThat(container).as("container has a %s", probe).containsKey(probe);
        return (String) map(map(container.get(probe)).get("httpGet")).get("path");
    }

    private static Map<String, Object> podSpec() {
        Map<String, Object> deployment = kubernetesObject("Deployment");
        return map(map(map(deployment.get("spec")).get("template")).get("spec"));
    }

    private static Map<String, Object> container() {
        List<Object> containers = list(podSpec().get("containers"));
        assertThat(containers).as("containers of the Deployment").hasSize(1);
        return map(containers.get(0));
    }

    private static List<Object> kubernetesObjects() {
        List<Object> objects = new ArrayList<>();
        for (Path file : yamlFiles(KUBERNETES)) {
            if (!NOT_KUBERNETES_OBJECTS.contains(file.getFileName().toString())) {
                objects.addAll(loadAll(file));
            }
        }
        return objects;
    }

    private static Map<String, Object> kubernetesObject(String kind) {
        List<Map<String, Object>> found = kubernetesObjects().stream().map(DeployManifestsTest::map)
                .filter(o -> kind.equals(o.get("kind"))).toList();
        assertThat(found).as("%s objects in deploy/kubernetes", kind).hasSize(1);
        return found.get(0);
    }

    private static List<Path> yamlFiles(Path dir) {
        assertThat(dir).isDirectory();
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All non-empty documents of a (possibly multi-document) YAML file. */
    private static List<Object> loadAll(Path file) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Object> docs = new ArrayList<>();
        try {
            for (Object doc : yaml.loadAll(Files.readString(file))) {
                if (doc != null) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    private static Map<String, Object> single(Path file) {
        List<Object> docs = loadAll(file);
        assertThat(docs).as("documents in %s", file).hasSize(1);
        return map(docs.get(0));
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    private static List<String> strings(Object o) {
        return list(o).stream().map(String::valueOf).toList();
    }
}
