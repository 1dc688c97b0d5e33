import { render } from "preact";
import { App, engineOf } from "./app";
import "./style.css";

// Start the engine's worker first: fetching and compiling it is most of the first answer.
engineOf();
render(<App />, document.getElementById("app")!);
