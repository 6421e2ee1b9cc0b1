package store

import "context"

// RewrapTenant exposes one tenant's rewrap so a test can stop a rotation part-way.
func (s *Store) RewrapTenant(ctx context.Context, userID int64) (int, error) {
	return s.rewrapTenant(ctx, userID)
}
