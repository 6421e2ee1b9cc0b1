package web

// routes is the whole route table, in one place.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/static/:file", s.assets.serve)

	e.GET("/", s.landing)

	if s.opts.DevMail != nil {
		e.GET("/dev/mail", s.devMail)
	}
}
