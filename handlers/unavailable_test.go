package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"tftsr/domain"
)

// TestTokenCheckUnavailable checks that an API token that could not be checked, because the
// database is down, is answered 503 in the API's error shape, not 401 as a bad token.
func TestTokenCheckUnavailable(t *testing.T) {
	ts := mustOpenServer(t)
	ts.Users.AuthenticateTokenFn = func(context.Context, string) (*domain.User, *domain.APIToken, error) {
		return nil, nil, domain.Errorf(domain.EUNAVAILABLE, "The database is unavailable. Try again shortly.")
	}
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/issues", nil)
	req.Header.Set("Authorization", "Bearer tftsr_some-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || body.Error.Code != domain.EUNAVAILABLE ||
		body.Error.Message != "The database is unavailable. Try again shortly." {
		t.Errorf("status %d, error %+v; want 503 unavailable with the message", resp.StatusCode, body.Error)
	}
}
