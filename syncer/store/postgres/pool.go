package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pool adapts pgxpool to the two shapes the store's methods use.
type pool struct{ p *pgxpool.Pool }

func newPool(cfg *pgxpool.Config) (*pool, error) {
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	return &pool{p: p}, nil
}

func (p *pool) close() { p.p.Close() }

// with runs fn on a pooled connection.
func (p *pool) with(ctx context.Context, fn func(c *pgx.Conn) error) error {
	c, err := p.p.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return fn(c.Conn())
}

// tx runs fn in a transaction on a pooled connection, committing if fn
// returns nil and rolling back otherwise.
func (p *pool) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, p.p, fn)
}
