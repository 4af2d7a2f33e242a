package loyaltymock

// The handlers of the shop and chain reads.

import (
	"strconv"

	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/loyalty"
)

func (s *Server) shopParam(v *validator) (*shopState, error) {
	id := v.check(loyaltywire.ParamShopID, loyalty.IsBytes32)
	if err := v.failed(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	sh := s.shops[lower(id)]
	s.mu.Unlock()
	if sh == nil {
		return nil, &opError{code: loyalty.CodeInvalidParameters, validation: []loyaltywire.Validation{
			{Type: "field", Msg: "unknown shop", Path: loyaltywire.ParamShopID, Location: v.loc}}}
	}
	return sh, nil
}

func (s *Server) shopInfo(v *validator) (any, error) {
	sh, err := s.shopParam(v)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.sweepLocked(s.clock.Now())
	st := sh.state()
	s.mu.Unlock()
	return loyaltywire.ShopInfo{
		ShopID:          st.ID,
		Name:            st.Name,
		Account:         st.Owner,
		ProvideWaitTime: loyaltywire.Int(st.ProvideWaitTime),
		ProvidePercent:  loyaltywire.Int(st.ProvidePercent),
		ProvidedPoint:   num(st.ProvidedPoint),
		UsedPoint:       num(st.UsedPoint),
		SettledPoint:    num(st.SettledPoint),
		WithdrawnPoint:  num(st.WithdrawnPoint),
		Currency:        "point",
		Status:          1,
		ProvidedAmount:  num(st.ProvidedPoint),
		UsedAmount:      num(st.UsedPoint),
	}, nil
}

func (s *Server) shopWithdrawal(v *validator) (any, error) {
	sh, err := s.shopParam(v)
	if err != nil {
		return nil, err
	}
	return loyaltywire.ShopWithdrawal{ShopID: sh.ID, WithdrawAmount: num(loyalty.Amount{}), WithdrawStatus: 0}, nil
}

func (s *Server) chainIDAnswer(*validator) (any, error) {
	return loyaltywire.ChainID{ChainID: loyaltywire.Int(s.chainID)}, nil
}

// nonce answers GET /v1/ledger/nonce/{account}: the account is a path parameter.
func (s *Server) nonce(v *validator) (any, error) {
	v.p[loyaltywire.ParamAccount] = v.r.PathValue(loyaltywire.ParamAccount)
	v.loc = "params"
	account := v.check(loyaltywire.ParamAccount, loyalty.IsAccount)
	if err := v.failed(); err != nil {
		return nil, err
	}
	return loyaltywire.Nonce{Account: account, Nonce: loyaltywire.Number(strconv.FormatUint(s.Nonce(account), 10))}, nil
}
