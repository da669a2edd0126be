// java -cp <classpath of pom.xml> HelmTemplate.java <chart dir> <values file> <release name> <namespace>
//
// `helm lint --strict` then `helm template` of a chart through helm-java (Helm's Go library as a
// native library): lint messages to stderr (exit 1 when linting fails), the rendered manifests
// to stdout. Used by deploy/deploy.int.spec.ts where no `helm` binary is on PATH.
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.file.Path;

public class HelmTemplate {
  public static void main(String[] args) {
    Path chart = Path.of(args[0]);
    Path values = Path.of(args[1]);
    Helm helm = new Helm(chart);
    System.err.println("helm-java: Helm " + Helm.version().call());
    LintResult lint = helm.lint().strict().call();
    lint.getMessages().forEach(System.err::println);
    if (lint.isFailed()) {
      System.err.println("helm lint failed");
      System.exit(1);
    }
    String manifests = helm.template().withName(args[2]).withNamespace(args[3]).withValuesFile(values).call();
    System.out.print(manifests);
  }
}
