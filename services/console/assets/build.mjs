// Compile console.scss with GOV.UK Frontend and copy its JavaScript into the console's static
// directory. The output is committed, so running the console needs no Node.js.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "../src/mash_console/static/govuk";
mkdirSync(out, { recursive: true });
const css = sass.compile("console.scss", {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
});
writeFileSync(`${out}/govuk-frontend.min.css`, css.css);
copyFileSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk-frontend.min.js`);
console.log(`wrote ${out}/govuk-frontend.min.css (${css.css.length} bytes) and govuk-frontend.min.js`);
