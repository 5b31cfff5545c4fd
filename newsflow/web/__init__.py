"""The worker's web port: the routes (`routes`), their access rule (`auth`) and the
dashboard's static assets."""
