// The shared worker behind every open preview page, served at /__katsudo/worker.js: one
// EventSource, its messages passed to each page. A page that connects gets the latest state at
// once, like a stream of its own would send.
"use strict";
var ports = [];
var latest = null;
var source = new EventSource("/__katsudo/events");
["state", "reload", "css", "failed", "search"].forEach(function (name) {
  source.addEventListener(name, function (event) {
    var message = { event: name, state: JSON.parse(event.data) };
    latest = { event: "state", state: message.state };
    ports.forEach(function (port) { port.postMessage(message); });
  });
});
self.onconnect = function (event) {
  var port = event.ports[0];
  ports.push(port);
  port.start();
  if (latest) { port.postMessage(latest); }
};
