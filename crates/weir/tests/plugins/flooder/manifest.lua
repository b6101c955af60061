return {
  title = "Flooders",
  description = "The seed's flooder example: one alert, raised by a host script and by a network script",
  author = "weir tests",
}
